"""What Step Functions does locally: the ASL interpreter and the bounded saga runner."""
