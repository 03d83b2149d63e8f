"""DynamoDB Local (started from the npm package) and the sample data seeded into it."""
