"""Domain of the "Appui-conseil à l'innovation sociale" assistant: plain Python, no Rasa import."""
