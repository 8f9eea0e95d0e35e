"""What every page stands on: login and sessions, dependencies, error pages, security, permissions, templates."""
