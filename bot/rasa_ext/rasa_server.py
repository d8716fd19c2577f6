"""`python -m bot.rasa_ext.rasa_server run …`: Rasa's own command line, for the assistant's Rasa server.

TensorFlow imports jax when it is installed (jax comes with TensorFlow 2.12),
only for TFLite's converter, which a Rasa server never uses: jax and its XLA
library then hold a noticeable part of the server's memory for nothing
(measured in bench/README.md). The import fails here, as it would without jax,
which TensorFlow's import allows for. Everything else is `python -m rasa`, with
the speed fixes of `bot/rasa_ext/tuning/` installed first unless
RASA_TUNING=off.
"""

import sys

sys.modules["jax"] = None  # `import jax` raises ImportError from here on

from rasa.__main__ import main  # noqa: E402  (after the line above, on purpose)

from bot.settings import rasa_tuning_enabled  # noqa: E402


def run() -> None:
    if rasa_tuning_enabled():
        from bot.rasa_ext import tuning

        tuning.apply()
    main()


if __name__ == "__main__":
    run()
