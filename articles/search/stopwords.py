"""Words too common to search for, left out of the index and out of queries.

PostgreSQL's `arabic` configuration has no stop words, and a query for في or
من would match every article; these lists are applied before any database
sees the text, the same way on PostgreSQL and SQLite.

The Arabic words are written as `normalise` leaves them except that ى is
kept: على (on) is a stop word, علي (a name) is not. Forms with a leading و or
ف (وفي، فقد) need not be listed: the normaliser checks the word without it.
The English list is PostgreSQL's own (`english.stop`), so that the stemmed
English part of the PostgreSQL index and the words around it agree.
"""

ARABIC_STOP_WORDS = frozenset(
    """
    في من على عن الى حتى منذ مذ عند لدى بين نحو خلال ضد عبر حول دون فوق تحت امام
    وراء بعد قبل مع عدا سوى غير الا
    ان انه انها انهم انهما انني اننا لان لانه لانها كان كانت كانوا كانا يكون تكون
    يكونون نكون اكون يكن تكن ليس ليست ليسوا لست كن
    قد لقد لم لما لن لا ما ماذا متى اين كيف هل كم لماذا اذا اذ لو لولا كي لكي او الان
    ثم بل لكن لكنه لكنها اما انما كل كلا بعض اي ايضا كما كذلك مثل حيث حين
    عندما بينما هنا هناك هنالك ذا ذات ذو ذي
    هذا هذه هذان هاتان هذين هاتين ذلك تلك ذلكم اولايك اوليك هولا
    الذي التي الذين اللذان اللتان اللذين اللتين اللواتي اللاتي اللايي الذى التى
    هو هي هم هن هما انا نحن انت انتم انتن انتما
    له لها لهم لهما لهن لك لكم لنا لي به بها بهم بهما بك بكم بنا بي
    فيه فيها فيهم فيهما منه منها منهم منهما عنه عنها عنهم عنهما عليه عليها عليهم
    عليهما اليه اليها اليهم معه معها معهم لديه لديها لديهم بينهم بينها
    سوف تم يتم تمت وقد فقط جدا يا ايها
    """.split()
)

ENGLISH_STOP_WORDS = frozenset(
    """
    i me my myself we our ours ourselves you your yours yourself yourselves he him his
    himself she her hers herself it its itself they them their theirs themselves what
    which who whom this that these those am is are was were be been being have has had
    having do does did doing a an the and but if or because as until while of at by for
    with about against between into through during before after above below to from up
    down in out on off over under again further then once here there when where why how
    all any both each few more most other some such no nor not only own same so than too
    very s t can will just don should now
    """.split()
)
