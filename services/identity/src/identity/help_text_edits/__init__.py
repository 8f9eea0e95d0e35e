"""The operation history of the gateway's editable texts (N25): help, notices, FAQ and planned stops."""
