"""Where audience data comes from: Wikimedia REST API, dumps, and the simulator."""
