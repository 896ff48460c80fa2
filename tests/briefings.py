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
