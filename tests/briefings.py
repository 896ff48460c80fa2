"""Two small briefings of our own (article + chronology), for the reading tests: other places, other people,
other wording than the shipped briefing, so a rule that passes on them was not tuned to it."""

HARBOR = """Articles
Harbor Lights
The port authority of Valdemar began dredging the northern channel two weeks ahead of schedule (the early start was meant to avoid the autumn storms). Fishing cooperatives complained about the noise.
At their spring meeting the two fisheries ministers agreed to open a joint coast guard academy in 2025.

Chronology
March 3, 2024: Orlen Systems President and CEO Marta Kowalczyk meets with Prime Minister Sato in Gdansk.
March 7, 2024: Commander of the Baltic Fleet Admiral Piotr Nowak visits Tallinn.
March 12, 2024: Sato delivers an address at the Nordic Council in Oslo.
March 15, 2024: Estonia and Latvia sign a fisheries accord in Riga.
"""

RIVERS = """Articles
Rivers and Power
The Mekong River Commission warned that the new dams would cut fish catches by a third. Laos is building the dams in order to earn export revenue from electricity sold to Thailand.
Farmers downstream have asked for compensation.

Chronology
Feb. 2, 2024: Thai Foreign Minister Somchai Wong and Lao Foreign Minister Boun Phanh hold talks in Vientiane.
Feb. 9, 2024: World Bank President Ajay Banga visits Bangkok.
Feb. 20, 2024: Commission Chairman Anoulak Kittikhoun opens a forum on river sediment in Phnom Penh.
"""

#: One long paragraph whose one sentence about the lighthouse is what paraphrased questions ask about, beside
#: shorter passages about the lighthouse as a whole (retrieval by the best-matching sentence, rag/retrieve.py).
ISLANDS = """Articles
Island Affairs
The island council of Norrvik met four times this spring. It approved a new ferry timetable and raised harbour fees by a tenth. Councillors debated the school budget at length and agreed to hire two more teachers. The council shut the old lighthouse to visitors after inspectors found that its iron stairs had rusted through. Fishing crews asked for a longer season for cod, and the council promised to raise the matter with the fisheries agency. A new clinic opened beside the town hall in May.
Visitors to Norrvik still admire the lighthouse from the ferry deck, and tourism officials hope to turn the lighthouse grounds into a museum of island life.

Chronology
April 2, 2024: The Norrvik council approves the summer ferry timetable.
April 9, 2024: Inspectors visit the Norrvik lighthouse.
April 20, 2024: Tourism officials of Norrvik present a museum plan for the lighthouse.
"""
