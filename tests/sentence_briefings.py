"""Small briefings of our own for the sentence-choice tests (tests/test_sentences.py): other places, other
people and other wording than the shipped briefing, so a rule that passes on them was not tuned to it."""

CANALS = """Articles
Canals and Ports
Agreement to widen the Vistula Lagoon canal was reached in 1998 after a decade of talks between the two coastal provinces. Popular opposition to the dredging, led by the fishing towns, slowed progress for years. The widening was originally scheduled to have been completed in 2019; now it is expected to be finished around 2031.
In other words, Poland will ship its own patrol boats, which it builds under a license from a Dutch yard, back to the Netherlands. This is both a milestone—it marks the first sale of warships abroad since the end of the Cold War—and a puzzle since the yard is a Dutch company.
Since the three Baltic states count among the region's leaders in offshore wind engineering, grid management and subsea cable repair, their energy ministers pledged to provide technical training to the coastal towns of the region to protect power lines and ferry terminals from sabotage.
That paved the way for the March declaration issued by the Lithuanian and Polish foreign ministers condemning the jamming of ship navigation signals.
In April, Baltic Wind and the Danish utility Nordhavn Energy signed an agreement to study a cable factory in Klaipeda. The ferry operator also plans to expand the Riga terminal from 14 to 22 berths by 2027.
Chief of the Navy Admiral Lars Berg and Commander of the Lithuanian Armed Forces (LAF) General Tomas Vaitkus watched the exercise together on April 23.
Critics of the ferry subsidy have been vocal since its launch, with opposition deputies arguing that it is wasteful, a charge that the ministry and the operators deny.

Chronology
March 4, 2024: Deputy Minister for Maritime Affairs Kadri Tamm and Minister of the Republic of Latvia Janis Ozols sign a fisheries accord in Riga.
March 9, 2024: Lithuania and Poland issue a joint declaration condemning the jamming of ship navigation signals.
March 20, 2024: The Baltic Council holds its spring meeting in Vilnius.
April 2, 2024: Baltic Wind and Nordhavn Energy sign an agreement in Tallinn to study a cable factory.
"""

COUNCIL = """Articles
The Council Year
The limited bounce in public support that followed the March Nordic summit she hosted did not last. The council later condemned the jamming in its March declaration issued by the foreign ministers.
The regional airline lost money again in 2023. The decision to keep its northern routes was meant to protect island towns that have no road link.
"""
