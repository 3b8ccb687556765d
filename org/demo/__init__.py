"""Demo data for pkh-case: the Jakarta Timur region list, names, and the `seed_demo` logic."""
