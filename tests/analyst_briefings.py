"""Small briefings of our own for the constraint-reading tests (tests/test_analyst.py): other places, other
people and other wording than the shipped briefing, so a rule that passes on them was not tuned to it.

FJELL names offices and bodies by their own names ("the Storting", "the Bank of Norway"), places by their
names ("California", "Bavaria"), spells the UK way ("harbour", "defence") and joins words ("cybersecurity"), and dates several meetings of one minister in one city with people of
different titles."""

FJELL = """Articles
Fjords and Fleets
The Storting approved a larger coast guard budget in March after a long debate on fishing rights. The Bank of Norway kept its policy rate at 4.5 percent, citing stubborn housing costs.
California signed a clean-shipping pact with Norway in Oslo, promising to buy twelve electric ferries for the San Francisco Bay. Bavaria sent a trade mission to Bergen to study hydrogen trains.
Allegedly, several harbour officials in Tromsø failed to declare gifts from shipbuilders worth thousands of kroner. The scandal cost the port director his job. The Harbour Safety Board fined two ferry operators for overloading.
The defence ministry wants the new patrol boats to be built in Norwegian yards, to keep the skills in the country. Bergen's harbour fee rose to 200 kroner per berth, and Norway's cybersecurity budget doubled to 2 billion kroner.

Chronology
March 3, 2024: Commander of the Northern Fleet Vice Admiral Jonas Lind meets with Defence Minister Eva Holm in Tromsø.
March 5, 2024: Prime Minister Nils Berg meets with Commander of the US Sixth Fleet Vice Admiral Thomas Reed in Oslo.
March 5, 2024: Berg meets with Nordlys Energy CEO Kari Dahl in Oslo.
March 6, 2024: Berg meets with Finance Minister Ola Strand in Oslo.
March 7, 2024: Berg meets with US Army Europe Commander General Mark Keller in Oslo.
March 9, 2024: Chair of the Arctic Council Ambassador Hilde Moe opens a meeting on Arctic shipping in Bodø.
March 12, 2024: Berg meets with Swedish Foreign Minister Anna Lund in Stockholm.
March 14, 2024: Labour criticises the coast guard budget as too small.
March 15, 2024: Holm meets with General Erik Vang, commander of the Norwegian Army, in Bodø.
March 16, 2024: Holm opens a ferry trade fair in Munich.
"""
