"""The five seed papers, as the seed files name them (title page, date or
journal), for the report's bibliography and citations by name."""

#: seed number -> (short name used in the text, full reference)
BIBLIOGRAPHY = {
    "000": ("Zhou 2021", 'D. Zhou, "Real Space Renormalization: A Generic Microscopic Theory for Low-Temperature '
                         'Avalanches in Static Strained Insulating Glass", preprint, version dated February 10, 2021 '
                         '(long version with appendices A-D).'),
    "001": ("Zhou 2023", 'D. Zhou, "Real Space Renormalization: A Generic Microscopic Theory for Low-Temperature '
                         'Avalanches in Static Strained Insulating Glass", preprint, version dated January 27, 2023.'),
    "002": ("Zhou 2020", 'D. Zhou, "Universal ratio of TTLS-phonon coupling constants in low-temperature amorphous '
                         'solids", J. Phys.: Condens. Matter 32, 055704 (2020).'),
    "003": ("Zhou & Leggett 2021", 'D. Zhou and A. J. Leggett, "A Generic Microscopic Theory for the Universality of '
                                   'TTLS Model Meissner-Berret Ratio in Low-Temperature Glasses", arXiv preprint, '
                                   'version dated June 26, 2021.'),
    "004": ("Bevzenko & Lubchenko 2022", 'D. Bevzenko and V. Lubchenko, "Stress distribution and the fragility of '
                                         'supercooled melts", preprint, version dated April 18, 2022.'),
}
