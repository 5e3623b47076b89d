"""Demo content for `load_demo`: invented news, written for this project.

Places are real cities; the events, people and publishers are made up.
"""

SOURCES = [
    {
        "slug": "nashrat-al-sham",
        "name_ar": "نشرة الشام",
        "name_en": "Al-Sham Bulletin",
        "homepage_url": "https://nashra.example/",
        "time_zone": "Asia/Damascus",
    },
    {
        "slug": "akhbar-al-diffatayn",
        "name_ar": "أخبار الضفتين",
        "name_en": "Two Banks News",
        "homepage_url": "https://diffatayn.example/",
        "time_zone": "Asia/Beirut",
    },
]

SECTIONS = [
    {"slug": "siyasa", "name_ar": "سياسة", "name_en": "Politics"},
    {"slug": "iqtisad", "name_ar": "اقتصاد", "name_en": "Economy"},
    {"slug": "thaqafa", "name_ar": "ثقافة", "name_en": "Culture"},
    {"slug": "riyada", "name_ar": "رياضة", "name_en": "Sport"},
]

# Each block: (kind, Arabic, English or "", attribution Arabic, attribution English)
ARTICLES = [
    {
        "source": "nashrat-al-sham",
        "section": "thaqafa",
        "hours_ago": 2,
        "featured": True,
        "views": 1280,
        "translation": "reviewed",
        "title_ar": "مكتبة حلب العامة تعيد فتح قاعة المخطوطات بعد ترميم دام عامين",
        "title_en": "Aleppo Public Library reopens its manuscripts hall after a two-year restoration",
        "lead_ar": "القاعة تضم أكثر من ثلاثة آلاف مخطوطة، وستستقبل الباحثين بمواعيد مسبقة.",
        "lead_en": "The hall holds more than three thousand manuscripts and will receive researchers by appointment.",
        "byline": "ريم الحسن",
        "blocks": [
            (
                "paragraph",
                "أعادت مكتبة حلب العامة صباح اليوم فتح قاعة المخطوطات أمام الباحثين، بعد أعمال ترميم استمرت عامين شملت السقف والإنارة وأنظمة التهوية.",
                "Aleppo Public Library reopened its manuscripts hall to researchers this morning, after two years of restoration work on the roof, the lighting and the ventilation.",
                "",
                "",
            ),
            (
                "paragraph",
                "وقالت إدارة المكتبة إن القاعة تضم أكثر من ثلاثة آلاف مخطوطة في الفقه واللغة والفلك، أقدمها يعود إلى القرن الثاني عشر الميلادي.",
                "The library's management said the hall holds more than three thousand manuscripts on law, language and astronomy, the oldest dating from the twelfth century.",
                "",
                "",
            ),
            ("heading", "مواعيد مسبقة للباحثين", "Appointments for researchers", "", ""),
            (
                "paragraph",
                "وستستقبل القاعة الباحثين بمواعيد مسبقة من الأحد إلى الخميس، على أن يُسمح بالتصوير دون استخدام الفلاش حفاظاً على الأوراق.",
                "The hall will receive researchers by appointment from Sunday to Thursday, and photography will be allowed without flash to protect the pages.",
                "",
                "",
            ),
            (
                "quote",
                "كل ورقة هنا شاهد على قرون من العلم، وحمايتها واجب علينا جميعاً",
                "Every page here bears witness to centuries of learning, and protecting it is a duty for all of us",
                "سلمى القاضي",
                "Salma al-Qadi",
            ),
            (
                "paragraph",
                "وأوضحت أمينة المكتبة سلمى القاضي أن فريق الترميم رقمن نحو نصف المخطوطات، وأن العمل جار لإتاحة نسخها الرقمية على موقع المكتبة خلال العام المقبل.",
                "Librarian Salma al-Qadi explained that the restoration team has digitised about half of the manuscripts, and that work is under way to put the digital copies on the library's website next year.",
                "",
                "",
            ),
        ],
    },
    {
        "source": "nashrat-al-sham",
        "section": "iqtisad",
        "hours_ago": 5,
        "views": 642,
        "translation": "machine",
        "title_ar": "ارتفاع أسعار زيت الزيتون في أسواق دمشق مع تراجع محصول الموسم",
        "title_en": "Olive oil prices rise in Damascus markets as the season's harvest falls",
        "lead_ar": "تجار يتوقعون استمرار الارتفاع حتى نهاية الشتاء.",
        "lead_en": "Traders expect prices to keep rising until the end of winter.",
        "byline": "",
        "blocks": [
            (
                "paragraph",
                "سجلت أسعار زيت الزيتون في أسواق دمشق ارتفاعاً ملحوظاً خلال الأسبوع الأخير، بعد تقديرات تشير إلى تراجع المحصول بنسبة الثلث مقارنة بالموسم الماضي.",
                "Olive oil prices in Damascus markets rose markedly over the past week, after estimates pointed to a harvest down by a third compared with last season.",
                "",
                "",
            ),
            (
                "paragraph",
                "وعزا مزارعون في ريف إدلب وحمص التراجع إلى قلة الأمطار في الربيع وموجة حر ضربت الأشجار وقت الإزهار.",
                "Farmers in the Idlib and Homs countryside put the fall down to little rain in spring and a heat wave that struck the trees at flowering time.",
                "",
                "",
            ),
            (
                "paragraph",
                "ويتوقع تجار في سوق البزورية أن يستمر ارتفاع الأسعار حتى نهاية الشتاء، ما لم تصل كميات من المخزون القديم إلى الأسواق.",
                "",
                "",
                "",
            ),
        ],
    },
    {
        "source": "akhbar-al-diffatayn",
        "section": "riyada",
        "hours_ago": 9,
        "views": 2310,
        "translation": "machine",
        "title_ar": "فريق الجامعة يفوز ببطولة السلة للشباب في بيروت",
        "title_en": "University team wins the youth basketball championship in Beirut",
        "lead_ar": "",
        "lead_en": "",
        "byline": "مازن عيسى",
        "blocks": [
            (
                "paragraph",
                "توج فريق الجامعة بلقب بطولة كرة السلة للشباب بعد فوزه في المباراة النهائية بفارق أربع نقاط، في قاعة امتلأت بالجمهور حتى آخر مقعد.",
                "The university team took the youth basketball title after winning the final by four points, in a hall packed to the last seat.",
                "",
                "",
            ),
            (
                "quote",
                "لعبنا كفريق واحد من الدقيقة الأولى حتى صافرة النهاية",
                "We played as one team from the first minute to the final whistle",
                "كريم داود",
                "Karim Daoud",
            ),
            (
                "paragraph",
                "وقال مدرب الفريق إن التحضير للبطولة بدأ منذ الصيف، وإن اللاعبين الشباب أثبتوا أنهم قادرون على المنافسة في الدوري الأول قريباً.",
                "The team's coach said preparation for the championship began in the summer, and that the young players had shown they could soon compete in the first division.",
                "",
                "",
            ),
        ],
    },
    {
        "source": "akhbar-al-diffatayn",
        "section": "siyasa",
        "hours_ago": 14,
        "views": 455,
        "translation": "none",
        "title_ar": "مجلس بلدية صيدا يقر خطة لتنظيم السير في وسط المدينة",
        "title_en": "",
        "lead_ar": "الخطة تبدأ تجريبياً الشهر المقبل وتشمل مواقف جديدة للحافلات.",
        "lead_en": "",
        "byline": "",
        "blocks": [
            (
                "paragraph",
                "أقر مجلس بلدية صيدا في جلسته الأخيرة خطة لتنظيم السير في وسط المدينة، تتضمن تحويل شارعين إلى اتجاه واحد وإنشاء مواقف جديدة للحافلات.",
                "",
                "",
                "",
            ),
            (
                "paragraph",
                "وستطبق الخطة تجريبياً لمدة ثلاثة أشهر ابتداء من الشهر المقبل، على أن يقيم المجلس نتائجها بالتشاور مع التجار والسكان.",
                "",
                "",
                "",
            ),
        ],
    },
    {
        "source": "nashrat-al-sham",
        "section": "siyasa",
        "hours_ago": 30,
        "views": 97,
        "translation": "none",
        "title_ar": "افتتاح جسر جديد يربط ضفتي نهر العاصي في حماة",
        "title_en": "",
        "lead_ar": "",
        "lead_en": "",
        "byline": "",
        "blocks": [
            (
                "paragraph",
                "افتتح في مدينة حماة جسر جديد للمشاة يربط ضفتي نهر العاصي قرب النواعير، بعد أشهر من العمل شارك فيه مهندسون من أبناء المدينة.",
                "",
                "",
                "",
            ),
            (
                "paragraph",
                "ويختصر الجسر على سكان الأحياء الغربية طريقاً كانوا يقطعونه في نحو عشرين دقيقة للوصول إلى السوق القديم.",
                "",
                "",
                "",
            ),
        ],
    },
]

TICKER = [
    ("مكتبة حلب العامة تعيد فتح قاعة المخطوطات", "Aleppo library reopens its manuscripts hall", 0),
    ("أسعار زيت الزيتون ترتفع مع تراجع المحصول", "Olive oil prices rise as the harvest falls", 1),
    ("فريق الجامعة بطلاً لسلة الشباب", "University team are youth basketball champions", 2),
    ("بلدية صيدا تقر خطة جديدة للسير", "Sidon council approves a new traffic plan", 3),
    ("جسر جديد للمشاة فوق نهر العاصي", "A new footbridge over the Orontes", 4),
    (
        "طقس بارد وأمطار متوقعة في نهاية الأسبوع",
        "Cold weather and rain expected at the weekend",
        None,
    ),
]

# (article index, Arabic note, English note, hours after publication).
CORRECTIONS = [
    (
        4,
        "صُحّح طول الجسر: يبلغ مئة وعشرين متراً، لا مئتي متر كما ورد أولاً.",
        "Corrected the length of the bridge: it is 120 metres, not 200 as first reported.",
        6,
    ),
]
