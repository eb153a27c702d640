"""The five seed papers, as the seed files name them (title page, date or
journal), for the bibliography and for citations by id, author and year.

Identifiers are only those printed in the seed texts: 002's journal
reference (its first page), and 003's arXiv number (printed in the
reference lists of 000 and 001, ref. 10, with 003's title), and 004's arXiv
number, looked up by its title and authors (arXiv listings of 1001.2844).
Where an arXiv number is known its DOI is arXiv's own, 10.48550/arXiv.<number>
(DataCite DOIs that arXiv assigns to every paper).  The seeds print no
journal DOI; none is invented here.
"""

from ._render import Paper

#: seed number -> Paper
BIBLIOGRAPHY = {
    "000": Paper("000", "Zhou 2021",
                 'D. Zhou, "Real Space Renormalization: A Generic Microscopic Theory for Low-Temperature Avalanches in '
                 'Static Strained Insulating Glass", preprint, version dated February 10, 2021 (long version with '
                 'appendices A-D).',
                 identifier_source="The seed prints no DOI or arXiv number."),
    "001": Paper("001", "Zhou 2023",
                 'D. Zhou, "Real Space Renormalization: A Generic Microscopic Theory for Low-Temperature Avalanches in '
                 'Static Strained Insulating Glass", preprint, version dated January 27, 2023.',
                 identifier_source="The seed prints no DOI or arXiv number."),
    "002": Paper("002", "Zhou 2020",
                 'D. Zhou, "Universal ratio of TTLS-phonon coupling constants in low-temperature amorphous solids", '
                 'J. Phys.: Condens. Matter 32, 055704 (2020).',
                 identifier_source="The journal reference as the seed's first page prints it; the seed prints no DOI."),
    "003": Paper("003", "Zhou & Leggett 2021",
                 'D. Zhou and A. J. Leggett, "A Generic Microscopic Theory for the Universality of TTLS Model '
                 'Meissner-Berret Ratio in Low-Temperature Glasses", arXiv preprint, version dated June 26, 2021.',
                 identifier="doi:10.48550/arXiv.1510.05528 (arXiv:1510.05528)",
                 url="https://doi.org/10.48550/arXiv.1510.05528",
                 identifier_source="The arXiv number as 000 and 001 print it (their ref. 10), with arXiv's DOI for it; "
                                   "the seed prints no journal DOI."),
    "004": Paper("004", "Bevzenko & Lubchenko 2022",
                 'D. Bevzenko and V. Lubchenko, "Stress distribution and the fragility of supercooled melts", preprint, '
                 'version dated April 18, 2022.',
                 identifier="doi:10.48550/arXiv.1001.2844 (arXiv:1001.2844)",
                 url="https://doi.org/10.48550/arXiv.1001.2844",
                 identifier_source="The seed prints none; the arXiv number found by title and authors, with arXiv's DOI "
                                   "for it."),
}
