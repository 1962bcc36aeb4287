"""Country names and adjectives for alert lines ("Greek guards", "Turkey opened ...").

The gazetteer that reads demonyms belongs to the rules (stage 2), and pycountry knows names
but not adjectives, and names some states as a treaty would ("Iran, Islamic Republic of",
"Türkiye"). A reader wants the newsroom's words, so the common ones are here; any other code
falls back to pycountry's short name, used as a noun ("Eswatini guards"), and an unknown code
to itself.
"""

from __future__ import annotations

import pycountry

# ISO alpha-3 -> (name as news writes it, adjective).
COUNTRIES: dict[str, tuple[str, str]] = {
    "AFG": ("Afghanistan", "Afghan"), "ALB": ("Albania", "Albanian"),
    "DZA": ("Algeria", "Algerian"), "AGO": ("Angola", "Angolan"),
    "ARG": ("Argentina", "Argentine"), "ARM": ("Armenia", "Armenian"),
    "AUS": ("Australia", "Australian"), "AUT": ("Austria", "Austrian"),
    "AZE": ("Azerbaijan", "Azerbaijani"), "BHR": ("Bahrain", "Bahraini"),
    "BGD": ("Bangladesh", "Bangladeshi"), "BLR": ("Belarus", "Belarusian"),
    "BEL": ("Belgium", "Belgian"), "BEN": ("Benin", "Beninese"),
    "BTN": ("Bhutan", "Bhutanese"), "BOL": ("Bolivia", "Bolivian"),
    "BIH": ("Bosnia", "Bosnian"), "BWA": ("Botswana", "Botswanan"),
    "BRA": ("Brazil", "Brazilian"), "BGR": ("Bulgaria", "Bulgarian"),
    "BFA": ("Burkina Faso", "Burkinabe"), "BDI": ("Burundi", "Burundian"),
    "KHM": ("Cambodia", "Cambodian"), "CMR": ("Cameroon", "Cameroonian"),
    "CAN": ("Canada", "Canadian"), "CAF": ("the Central African Republic", "Central African"),
    "TCD": ("Chad", "Chadian"), "CHL": ("Chile", "Chilean"), "CHN": ("China", "Chinese"),
    "COL": ("Colombia", "Colombian"), "COD": ("DR Congo", "Congolese"),
    "COG": ("Congo-Brazzaville", "Congolese"), "CRI": ("Costa Rica", "Costa Rican"),
    "CIV": ("Ivory Coast", "Ivorian"), "HRV": ("Croatia", "Croatian"),
    "CUB": ("Cuba", "Cuban"), "CYP": ("Cyprus", "Cypriot"), "CZE": ("the Czech Republic", "Czech"),
    "DNK": ("Denmark", "Danish"), "DJI": ("Djibouti", "Djiboutian"),
    "DOM": ("the Dominican Republic", "Dominican"), "ECU": ("Ecuador", "Ecuadorian"),
    "EGY": ("Egypt", "Egyptian"), "SLV": ("El Salvador", "Salvadoran"),
    "ERI": ("Eritrea", "Eritrean"), "EST": ("Estonia", "Estonian"),
    "ETH": ("Ethiopia", "Ethiopian"), "FIN": ("Finland", "Finnish"), "FRA": ("France", "French"),
    "GAB": ("Gabon", "Gabonese"), "GMB": ("Gambia", "Gambian"), "GEO": ("Georgia", "Georgian"),
    "DEU": ("Germany", "German"), "GHA": ("Ghana", "Ghanaian"), "GRC": ("Greece", "Greek"),
    "GTM": ("Guatemala", "Guatemalan"), "GIN": ("Guinea", "Guinean"),
    "HTI": ("Haiti", "Haitian"), "HND": ("Honduras", "Honduran"),
    "HUN": ("Hungary", "Hungarian"), "IND": ("India", "Indian"),
    "IDN": ("Indonesia", "Indonesian"), "IRN": ("Iran", "Iranian"), "IRQ": ("Iraq", "Iraqi"),
    "IRL": ("Ireland", "Irish"), "ISR": ("Israel", "Israeli"), "ITA": ("Italy", "Italian"),
    "JPN": ("Japan", "Japanese"), "JOR": ("Jordan", "Jordanian"),
    "KAZ": ("Kazakhstan", "Kazakh"), "KEN": ("Kenya", "Kenyan"), "XKX": ("Kosovo", "Kosovar"),
    "KWT": ("Kuwait", "Kuwaiti"), "KGZ": ("Kyrgyzstan", "Kyrgyz"), "LAO": ("Laos", "Lao"),
    "LVA": ("Latvia", "Latvian"), "LBN": ("Lebanon", "Lebanese"), "LBR": ("Liberia", "Liberian"),
    "LBY": ("Libya", "Libyan"), "LTU": ("Lithuania", "Lithuanian"),
    "MKD": ("North Macedonia", "North Macedonian"), "MWI": ("Malawi", "Malawian"),
    "MYS": ("Malaysia", "Malaysian"), "MLI": ("Mali", "Malian"),
    "MRT": ("Mauritania", "Mauritanian"), "MEX": ("Mexico", "Mexican"),
    "MDA": ("Moldova", "Moldovan"), "MNG": ("Mongolia", "Mongolian"),
    "MNE": ("Montenegro", "Montenegrin"), "MAR": ("Morocco", "Moroccan"),
    "MOZ": ("Mozambique", "Mozambican"), "MMR": ("Myanmar", "Myanmar"),
    "NPL": ("Nepal", "Nepali"), "NLD": ("the Netherlands", "Dutch"),
    "NIC": ("Nicaragua", "Nicaraguan"), "NER": ("Niger", "Nigerien"),
    "NGA": ("Nigeria", "Nigerian"), "PRK": ("North Korea", "North Korean"),
    "NOR": ("Norway", "Norwegian"), "OMN": ("Oman", "Omani"),
    "PAK": ("Pakistan", "Pakistani"), "PSE": ("Palestine", "Palestinian"),
    "PAN": ("Panama", "Panamanian"), "PRY": ("Paraguay", "Paraguayan"),
    "PER": ("Peru", "Peruvian"), "PHL": ("the Philippines", "Philippine"),
    "POL": ("Poland", "Polish"), "PRT": ("Portugal", "Portuguese"), "QAT": ("Qatar", "Qatari"),
    "ROU": ("Romania", "Romanian"), "RUS": ("Russia", "Russian"),
    "RWA": ("Rwanda", "Rwandan"), "SAU": ("Saudi Arabia", "Saudi"),
    "SEN": ("Senegal", "Senegalese"), "SRB": ("Serbia", "Serbian"),
    "SLE": ("Sierra Leone", "Sierra Leonean"), "SVK": ("Slovakia", "Slovak"),
    "SVN": ("Slovenia", "Slovenian"), "SOM": ("Somalia", "Somali"),
    "ZAF": ("South Africa", "South African"), "KOR": ("South Korea", "South Korean"),
    "SSD": ("South Sudan", "South Sudanese"), "ESP": ("Spain", "Spanish"),
    "LKA": ("Sri Lanka", "Sri Lankan"), "SDN": ("Sudan", "Sudanese"),
    "SWE": ("Sweden", "Swedish"), "CHE": ("Switzerland", "Swiss"), "SYR": ("Syria", "Syrian"),
    "TWN": ("Taiwan", "Taiwanese"), "TJK": ("Tajikistan", "Tajik"),
    "TZA": ("Tanzania", "Tanzanian"), "THA": ("Thailand", "Thai"), "TGO": ("Togo", "Togolese"),
    "TUN": ("Tunisia", "Tunisian"), "TUR": ("Turkey", "Turkish"),
    "TKM": ("Turkmenistan", "Turkmen"), "UGA": ("Uganda", "Ugandan"),
    "UKR": ("Ukraine", "Ukrainian"), "ARE": ("the United Arab Emirates", "Emirati"),
    "GBR": ("Britain", "British"), "USA": ("the United States", "US"),
    "URY": ("Uruguay", "Uruguayan"), "UZB": ("Uzbekistan", "Uzbek"),
    "VEN": ("Venezuela", "Venezuelan"), "VNM": ("Vietnam", "Vietnamese"),
    "YEM": ("Yemen", "Yemeni"), "ZMB": ("Zambia", "Zambian"), "ZWE": ("Zimbabwe", "Zimbabwean"),
}  # fmt: skip


def name(code: str) -> str:
    """The country as a noun: "Turkey", "the Netherlands"; pycountry's short name otherwise
    ("Iran, Islamic Republic of" -> "Iran"); the code itself when nobody knows it."""
    code = code.upper()
    if code in COUNTRIES:
        return COUNTRIES[code][0]
    found = pycountry.countries.get(alpha_3=code)
    if found is None:
        return code
    full = str(getattr(found, "common_name", None) or found.name)
    return full.split(",")[0].strip()


def adjective(code: str) -> str:
    """The country as an adjective ("Greek"); a noun used as one ("Eswatini") otherwise."""
    code = code.upper()
    if code in COUNTRIES:
        return COUNTRIES[code][1]
    plain = name(code)
    return plain[4:] if plain.startswith("the ") else plain
