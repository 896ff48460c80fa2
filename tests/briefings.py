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

LAKES = """Articles
Lakes and Ledgers
Minister of Water Ines Duarte pledged to double the money spent on lake monitoring, without naming a figure. The Lakes Fund, set up in 2022, received 40 million euros from the European Investment Bank.
Anglers' associations asked for a say in how the fund is spent.

Chronology
April 2, 2024: Duarte and Finnish Environment Minister Kai Mykkanen attend a water conference in Porto.
April 9, 2024: Duarte meets with Lakes Fund Director Rui Costa in Lisbon.
April 15, 2024: Portugal and Spain sign a water-sharing protocol in Badajoz.
"""

#: Two-hop and list questions: a description in the article ("the minister who replaced Vidal", "the commissioner
#: quoted on the quotas") names someone the chronology dates; several entries answer one list question alike.
ISLANDS = """Articles
Cabinet and Coast
Trade Minister Ana Ruiz replaced Tomas Vidal at the trade ministry after the October reshuffle, and she kept his negotiators. According to Fisheries Commissioner Lena Berg, the new catch quotas “will protect the spawning grounds for a decade.”
The coastal patrol exercise came less than two weeks after the harbor safety forum. Governor Blake, Mayor Ortiz and Senator Quist met while attending the regional ports summit in Malmo in August. (Ortiz was standing in for Governor Blake's deputy, who was ill.)
Customs officers seized a cargo of frozen cod that had arrived in Bergen without papers.

Chronology
Aug. 9, 2024: Governor Blake, Mayor Ortiz, and Senator Quist meet while attending the regional ports summit in Malmo.
Oct. 2, 2024: Vidal and Chancellor Weber speak by telephone.
Oct. 20, 2024: Ruiz and Chancellor Weber speak by telephone.
Oct. 22, 2024: Commissioner Berg and Ruiz meet in Porto.
Oct. 24, 2024: Vidal and Commissioner Berg meet in Faro.
Nov. 3, 2024: The harbor safety forum is held in Bergen.
Nov. 12, 2024: The coastal patrol exercise is held in Aalborg.
Nov. 14, 2024: Ruiz meets with Admiral Holt in Lisbon.
Nov. 18, 2024: Ruiz meets with Ambassador Dunmore in Lisbon.
Nov. 19, 2024: Ruiz delivers remarks at the Lisbon fisheries fair.
Dec. 2, 2024: Ruiz and Chancellor Weber speak by telephone.
Dec. 5, 2024: Ruiz and Commissioner Berg meet in Riga.
"""

#: One long paragraph whose one sentence about the lighthouse is what paraphrased questions ask about, beside
#: shorter passages about the lighthouse as a whole (retrieval by the best-matching sentence, rag/retrieve.py).
NORRVIK = """Articles
Island Affairs
The island council of Norrvik met four times this spring. It approved a new ferry timetable and raised harbour fees by a tenth. Councillors debated the school budget at length and agreed to hire two more teachers. The council shut the old lighthouse to visitors after inspectors found that its iron stairs had rusted through. Fishing crews asked for a longer season for cod, and the council promised to raise the matter with the fisheries agency. A new clinic opened beside the town hall in May.
Visitors to Norrvik still admire the lighthouse from the ferry deck, and tourism officials hope to turn the lighthouse grounds into a museum of island life.

Chronology
April 2, 2024: The Norrvik council approves the summer ferry timetable.
April 9, 2024: Inspectors visit the Norrvik lighthouse.
April 20, 2024: Tourism officials of Norrvik present a museum plan for the lighthouse.
"""
