"""Custom actions of the assistant: thin rasa-sdk glue over the `bot` package."""
