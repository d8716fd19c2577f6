"""`python -m bot.rasa_server run …`: Rasa's own command line, for the assistant's Rasa server.

TensorFlow imports jax when it is installed (jax comes with TensorFlow 2.12),
only for TFLite's converter, which a Rasa server never uses: jax and its XLA
library then hold 108 MB of the server's memory. The import fails here, as it
would without jax, which TensorFlow's import allows for. Everything else is
`python -m rasa`.
"""
import sys

sys.modules["jax"] = None  # `import jax` raises ImportError from here on

from rasa.__main__ import main  # noqa: E402  (after the line above, on purpose)

if __name__ == "__main__":
    main()
