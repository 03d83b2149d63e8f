"""AppSync real-time: the WebSocket protocols subscribers speak and the fan-out broker behind them."""
