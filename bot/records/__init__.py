"""What the assistant keeps: the database and its migrations, leads, the mail outbox and its sender, the handoff mail,
the staff tables and Rasa's tracker store on the same database."""
