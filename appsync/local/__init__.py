"""The local AppSync: DynamoDB Local, sample data, and a server that runs the Lambda handlers as AppSync would."""
