"""Money: amounts, places (currencies and locales of regions), exchange rates, vesting schedules."""
