"""A second briefing of our own, for library tests: nothing in the shipped one mentions the accord, Reykjavik
or fisheries quotas, so an answer naming them comes from this document."""

OTHER = """Undersea Cables
The Lantern Accord on undersea cables was signed in Reykjavik by both delegations on a cold morning.

Chronology
Jan. 5, 2024: Iceland and Norway met in Bergen to discuss fisheries quotas.
Jan. 9, 2024: Iceland's foreign minister visited Oslo for talks on Arctic shipping.
"""
QUESTION = "Where was the Lantern Accord signed?"
