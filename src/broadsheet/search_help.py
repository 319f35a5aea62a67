"""The query language as users read it: shown by the help screen, copied into the README."""

QUERY_HELP = """\
words            fuzzy, typo-tolerant; the word being typed matches as a prefix;
                 all words must match (title counts most, then AI summary, abstract)
a OR b           either; parentheses group: (diffusion OR flow) video
"exact phrase"   consecutive words;  -word and -"phrase" exclude
title:word       only in the title;  abstract:word  only in the abstract
org:google       organization id or name
is:starred  is:unread  is:read
year:2024        date:2024-05..2024-06   date:2024-05-03   date:2024..
upvotes:>10      also >=, <, <=, =, and ranges 10..20;  authors:>5
sort:relevance|date|upvotes|title   reversed with a minus: sort:-date
sort:trending    upvotes gained per day across the listings that showed the paper
"""
