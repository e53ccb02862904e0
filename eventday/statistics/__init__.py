"""The figures organisers give their funders after the day: who registered, who came, from where."""
