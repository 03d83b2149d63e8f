"""What EventBridge, SQS dead-letter queues and the Lambda runtime do around the handlers, in process."""
