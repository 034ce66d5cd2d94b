"""The demo timebank that ``timebank serve --demo`` seeds, made through the same use cases as the API.

timebank      the timebank: people, organisations, a year of exchanges
involvement   a user forum with every reward choice, spend options, a declaration
"""

from timebank.demo.timebank import DEMO_PASSWORD, HELP_ACTIVITIES, DemoTimebank, seed_demo

__all__ = ["DEMO_PASSWORD", "HELP_ACTIVITIES", "DemoTimebank", "seed_demo"]
