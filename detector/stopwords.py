"""Word lists: function words, the glue spinners rewrite only as phrases, never one by one;
and count words."""

__all__ = ["CARDINAL_WORDS", "STOPWORDS"]

STOPWORDS = frozenset(
    (
        "a about above after again against all also am an and any are as at be because been "
        "before being below between both but by can could did do does doing down during each even "
        "ever every few for from further had has have having he her here hers herself him himself "
        "his how i if in into is it its itself just least less let like many may me might more "
        "most much must my myself neither no nor not now of off often on once only or other "
        "others our ours ourselves out over own per quite rather same several shall she should "
        "since so some such than that the their theirs them themselves then there these they this "
        "those though through thus to too toward towards under until up upon us very via was we "
        "were what when where whether which while who whom whose why will with within without "
        "would yet you your yours yourself yourselves 's n't mr mrs ms dr"
    ).split()
)

CARDINAL_WORDS = frozenset(
    (
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
        "fifteen sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy "
        "eighty ninety hundred thousand million billion trillion dozen"
    ).split()
)
"""Words that name a count: a spinner that swaps one changes a fact, not a word."""
