"""What AppSync does with a request: the schema from SDL, auth directives, limits, invoking resolvers, errors."""
