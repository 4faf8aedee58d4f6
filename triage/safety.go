package triage

import (
	"slices"
	"strings"
)

// The safety floor is a second reading of every message, after whichever
// classifier answered (Gemini or the rules), that looks only for a life in
// danger. It reads concepts, not keywords: a person and a danger state near
// each other ("anak" … "belum pulang", "bau gas" … "meledak"), so a message
// the lexicon half-knows is still caught. When a rule fires, the urgency is
// raised to the rule's floor, the ticket escalates and the reason is shown to
// the moderator. It is written in Go, not in rules.yaml, so that no override
// can switch it off.

// SafetyFloorVersion names the floor's rules in Triage.ClassifierVersion.
const SafetyFloorVersion = "floor-v1"

// safetyRule is one danger concept: every group of all must occur within
// window tokens of the anchor (the first group's hit); a phrase of resolved
// anywhere in the message (the danger has passed) or of unreal just before the
// anchor (a question, a drill, a fear of what could happen) stops it.
type safetyRule struct {
	name     string // shown to the moderator
	all      [][]string
	window   int      // tokens either side of the anchor; 0 means 8
	resolved []string // message-wide
	unreal   []string // within 4 tokens before the anchor
	blockers []string // within 2 tokens before the anchor: "ktp hilang" is no missing person
	// before: the other groups must come before the anchor ("anak saya
	// hilang", not "pagar hilang, bahaya buat anak").
	before   bool
	urgency  int
	kategori string
	sub      string // subkategori code in rules.yaml
	// keep lists the kategori a classifier may have chosen that the floor
	// leaves alone; any other is replaced by kategori.
	keep []string
}

// Concept groups, in canonical tokens (see safetyLexicon.canon).
var (
	person = []string{"anak", "bocah", "balita", "bayi", "adik", "adek", "putri", "putra", "cucu", "keponakan",
		"ponakan", "lansia", "nenek", "kakek", "mbah", "eyang", "mertua", "suami",
		"istri", "kakak", "orang tua", "ortu", "orang", "warga", "tetangga", "remaja", "murid", "siswa",
		"pelajar", "korban", "pengendara", "penumpang", "pemulung", "pejalan kaki", "teman", "pemuda", "pria",
		"wanita", "laki", "perempuan", "seseorang", "kepala", "kakinya", "tangannya", "kepalanya",
		"grandfather", "grandmother", "child", "son", "daughter", "pikun", "demensia", "dementia", "alzheimer", "odgj",
		"sopir", "sopirnya", "penghuni", "penghuninya", "pekerja", "tukang", "gadis", "cewek", "cowok", "bapak2", "ibu2"}
	vulnerablePerson = []string{"anak", "bocah", "balita", "bayi", "adik", "adek", "putri", "putra", "cucu",
		"keponakan", "ponakan", "lansia", "nenek", "kakek", "mbah", "eyang", "pikun", "demensia", "dementia",
		"alzheimer", "odgj", "grandfather", "grandmother", "child", "son", "daughter", "bapak saya", "ibu saya", "ayah saya",
		"linglung", "adikku", "anakku", "putra kami", "putri kami", "anak kami", "my son", "my daughter", "bapak mertua saya",
		"mertua", "orang tua saya", "ortu", "remaja", "murid", "siswa", "pelajar", "istri", "suami", "kakak",
		"autis", "autisme", "abk", "disabilitas", "tunagrahita", "pelupa", "sering lupa", "gadis", "si kecil",
		"ibu kami", "bapak kami", "ayah kami", "ibu mertua", "bapak mertua", "mbah putri", "mbah kakung"}
	missing = []string{"hilang", "belum pulang", "tidak pulang", "belum kembali", "tidak kembali", "belum wangsul",
		"tidak wangsul", "belum ketemu", "tidak ketemu", "belum ditemukan", "tidak ditemukan", "lepas dari pengawasan",
		"kabur dari rumah", "pergi dari rumah", "keluar dari rumah", "medal saking griya", "diculik", "penculikan",
		"dibawa kabur", "dibawa orang", "tidak ada kabar", "hilang kontak", "missing", "minggat", "entah ke mana",
		"tidak tahu ke mana", "keluyuran", "tersesat", "nyasar", "tidak balik", "belum balik", "tak kunjung pulang",
		"tanpa kabar", "belum ada kabar", "terpisah dari", "menghilang", "ngilang", "dibawa lari", "pergi tanpa pamit",
		"keluar rumah sendirian", "tidak ada di sekolah", "tidak ada di rumah", "sedang dicari", "masih dicari",
		"dicari cari", "tidak bisa dihubungi", "tidak diketahui keberadaannya", "belum diketahui keberadaannya",
		"keberadaannya", "belum nongol", "tidak nongol", "not come home", "hasn t come home", "not returned",
		"hasn t returned", "went missing", "belum sampai rumah", "belum sampai di rumah", "tidak sampai rumah"}
	found = []string{"sudah ketemu", "sudah ditemukan", "berhasil ditemukan", "sudah pulang", "sudah kembali",
		"alhamdulillah ketemu", "sudah di rumah", "sudah wangsul", "ketemu alhamdulillah", "sudah aman", "ternyata menginap",
		"ternyata main", "ternyata di rumah", "sudah balik", "pulang sendiri"}
	objects = []string{"ktp", "kk", "kartu", "hp", "handphone", "motor", "sepeda", "dompet", "uang", "helm", "sandal",
		"spion", "kucing", "ayam", "burung", "kambing", "sapi", "surat", "ijazah", "akta", "berkas", "data", "sinyal",
		"air", "listrik", "lampu", "barang", "tas", "laptop", "emas", "perhiasan", "jemuran", "anjing", "bpjs",
		"kis", "kks", "npwp", "sim", "stnk", "bpkb", "nama", "nik", "ktpnya", "pot", "tabung"}

	selfHarm = []string{"bunuh diri", "mengakhiri hidup", "akhiri hidup", "mengakhiri hidupnya", "pengen mati",
		"ingin mati", "mau mati saja", "mending mati", "gantung diri", "minum racun", "menyakiti diri", "sayat tangan",
		"silet tangan", "tidak mau hidup lagi", "capek hidup", "lelah hidup", "tidak kuat hidup", "tidak sanggup hidup",
		"tidur selamanya", "pergi selamanya", "lebih baik mati", "mau mati aja", "sayat nadi", "potong nadi",
		"memotong nadi", "surat wasiat", "pesan perpisahan", "menabrakkan diri", "menceburkan diri", "nabrakin diri",
		"nyusul almarhum", "nyusul almarhumah", "menyusul almarhum", "menyusul almarhumah", "nyayat tangan",
		"nyayat tangannya", "menyayat tangan", "menyayat tangannya", "iris nadi", "suicide", "kill himself", "kill herself",
		"pegang tali", "bawa tali"}
	jump    = []string{"loncat", "lompat", "terjun", "menjatuhkan diri", "jump"}
	heights = []string{"jembatan", "atap", "gedung", "tower", "menara", "lantai", "tebing", "rel", "kali", "sungai", "bridge"}
	intent  = []string{"mau", "ingin", "pengen", "akan", "hendak", "bilang", "ngomong", "ancam", "ngancam", "mengancam",
		"kayaknya", "seperti", "nekat", "berdiri", "teriak", "nangis", "duduk di", "di luar pagar", "di pinggir"}
	pastSafe = []string{"sudah ditangani", "sudah tenang", "sudah dibawa ke", "sudah membaik", "sudah sadar", "sudah siuman",
		"sudah sembuh", "sudah sehat", "sudah aman", "tidak ada korban", "tidak ada yang luka", "tidak ada yang terluka",
		"alhamdulillah selamat", "semua selamat", "sudah dievakuasi", "sudah diperbaiki"}

	gas      = []string{"gas", "elpiji", "lpg", "tabung gas", "tabung melon", "spbg", "jargas", "selang gas", "selang elpiji", "regulator"}
	gasLeak  = []string{"bau", "bocor", "kebocoran", "desis", "mendesis", "menyengat", "nyengat", "meledak", "ledakan", "njeblug", "mbledos", "bledos", "explode", "tercium", "kecium", "bunyi desis", "keluar gas"}
	gasSafe  = []string{"sudah diganti", "aman sekarang", "sudah aman", "ternyata", "sudah diperbaiki", "sudah ditutup"}
	fireWord = []string{"kebakaran", "terbakar", "kobong", "kobongan", "api besar", "apinya", "asap tebal", "berasap",
		"bau kabel terbakar", "bau terbakar", "bau gosong", "keluar api", "percikan api", "nyala api", "fire", "asap keluar",
		"keluar asap", "letupan", "ledakan", "meledak", "asap hitam", "kepulan asap", "api menjalar", "api membesar",
		"kobaran", "berkobar", "kabel terbakar", "apinya menetes", "terbakar habis", "dilalap api", "mengeluarkan asap",
		"asap dari atap", "asap dari jendela", "fire"}
	fireOut = []string{"sudah padam", "sudah dipadamkan", "berhasil dipadamkan", "sudah mati apinya", "bekas kebakaran",
		"pasca kebakaran", "korban kebakaran", "sudah tidak ada api", "sudah tertangani", "cepat dipadamkan",
		"bisa dipadamkan", "sudah jualan lagi", "minggu lalu", "bulan lalu", "sudah dimatikan", "padam sendiri"}
	drill = []string{"pelatihan", "simulasi", "sosialisasi", "latihan", "lomba", "kalau ada", "kalau terjadi", "jika ada",
		"jika terjadi", "bila ada", "seandainya", "takut", "khawatir", "rawan", "bisa", "apa ada", "tanya", "pemadam", "usul",
		"pencegahan", "mitigasi", "cegah", "bahaya", "dulu", "pernah"}

	medical = []string{"pingsan", "tidak sadar", "tidak sadarkan diri", "tak sadarkan diri", "kejang", "tidak napas",
		"tidak bernapas", "henti napas", "mulut berbusa", "mulutnya berbusa", "pendarahan", "perdarahan",
		"muntah darah", "sekarat", "overdosis", "sesak napas berat", "tidak sadar diri", "unconscious", "tersedak",
		"susah napas", "sulit bernapas", "tidak bisa napas", "stroke mendadak", "mencong", "serangan jantung",
		"nyeri dada", "tidak respon", "tidak merespon", "oksigen habis", "oksigennya habis", "butuh oksigen",
		"hipotermia", "menggigil hebat", "napas buatan", "henti jantung", "cpr", "mendelik", "ngorok", "napasnya ngorok",
		"membiru", "bibir biru", "badan biru", "tiba tiba biru", "tidak nangis lagi", "muntah darah", "bab darah",
		"ari ari belum keluar", "plasenta belum keluar", "sungsang", "semaput", "tidak bisa diajak bicara",
		"kejang kejang", "gagal napas", "step", "matanya ke atas", "mata ke atas", "napasnya pelan", "bibirnya biru",
		"darahnya tidak berhenti", "darah tidak berhenti", "not breathing", "bleeding", "overdose"}
	// medicalPerson are states that need a person near to mean danger
	// ("sampah tergeletak" is not).
	medicalPerson = []string{"lemas", "tidak bergerak", "tidak gerak", "tergeletak", "berdarah", "tidak bisa bangun",
		"kritis", "lemas tidak berdaya", "terkapar", "terjepit", "kejepit", "tidak berdaya",
		"lemas sekali", "tidak menyahut", "darah dari telinga", "keluar darah", "kepalanya pecah", "kepala pecah",
		"kepalanya bocor", "kepala bocor", "luka parah", "luka berat", "tidak bangun bangun", "tidak bangun"}
	accident = []string{"kecelakaan", "tabrakan", "tabrak", "ketabrak", "ditabrak", "tertabrak", "kelindas", "terlindas",
		"serempet", "keserempet", "laka", "jatuh dari motor", "terjatuh", "jatuh", "tertimpa", "ketimpa", "terperosok",
		"nyemplung", "tersambar", "terlempar", "terpental", "terseret", "terguling", "terbalik", "masuk parit",
		"masuk jurang", "nyungsep", "tabrak lari", "laka lantas", "lakalantas", "ketabrakan"}
	injury = []string{"luka", "terluka", "patah", "lecet", "berdarah", "korban", "cedera", "parah", "luka parah",
		"luka berat", "pecah", "bocor", "terjepit", "kejepit", "tidak bergerak", "diam", "pingsan", "darah", "kritis"}
	dead     = []string{"korban jiwa", "tewas", "mati di tempat", "meninggal di tempat", "nyawa melayang"}
	deadWeak = []string{"meninggal", "meninggal dunia", "wafat"}
	past     = []string{"pernah", "tahun lalu", "bulan lalu", "dulu", "dahulu", "usul", "usulan"}

	birth      = []string{"melahirkan", "lahiran", "persalinan", "ketuban", "kontraksi", "hamil", "bersalin", "mules mau lahir"}
	birthCrisi = []string{"pecah", "pendarahan", "perdarahan", "berdarah", "darurat", "bidan tidak ada", "tidak ada bidan",
		"tolong", "sudah keluar", "tidak kuat", "lemas", "ambulan rusak", "mules", "tidak ada kendaraan", "bidan jauh",
		"ari ari", "plasenta", "sungsang"}

	weapon = []string{"celurit", "clurit", "parang", "golok", "pisau", "sajam", "senjata tajam", "pistol", "senpi",
		"senjata api", "samurai", "pedang", "bacok", "tusuk", "ditusuk", "dibacok", "arit", "badik", "keris", "gear",
		"ikat pinggang gir", "senjata"}
	attack = []string{"ngamuk", "mengamuk", "ancam", "mengancam", "diancam", "serang", "menyerang", "keroyok", "dikeroyok",
		"pukul", "dipukul", "memukul", "dipukuli", "memukuli", "mukuli", "mukulin", "gebuk", "hajar", "aniaya", "dianiaya",
		"bacok", "tusuk", "bawa", "acung", "mengacungkan", "kejar", "ngejar", "mengejar", "ribut", "saling serang",
		"bentrok", "tawuran", "membacok", "menusuk", "nyerang", "menodong", "ditodong"}
	hit = []string{"mukul", "memukul", "pukul", "nendang", "menendang", "menampar", "nampar", "ngejar", "mengejar",
		"menyiksa", "nyiksa", "menganiaya", "ngeroyok", "nyeret", "menyeret", "menjambak", "njambak", "membanting",
		"nyekik"}
	hitTarget = []string{"istri", "istrinya", "suami", "suaminya", "anak", "anaknya", "ibu", "ibunya", "nenek",
		"kakek", "mbah", "bayi", "balita", "adik", "adiknya", "pacarnya", "tetangga", "orang tua", "ortunya", "cucu"}
	threat     = []string{"diancam", "ancam", "mengancam", "ngancam", "ancaman"}
	threatHarm = []string{"dibunuh", "bunuh", "membunuh", "dibakar", "bakar", "membakar", "dibacok", "bacok", "ditusuk",
		"tusuk", "dihabisi", "habisi", "disiram air keras", "dicelakai"}
	beating = []string{"dipukul", "digebuk", "ditampar", "dipukuli", "memukuli", "mukuli", "mukulin", "digebuki", "dihajar", "dianiaya", "dikeroyok",
		"disiksa", "ditendang", "dicekik", "diseret", "kdrt", "dibunuh", "membunuh", "diperkosa", "pemerkosaan",
		"dikepruk", "dijotosi", "diantemi", "dihantam", "dibanting", "dijambak", "babak belur", "akan dibunuh",
		"mau dibunuh"}

	electric = []string{"kesetrum", "tersetrum", "tersengat listrik", "nyetrum", "electrocuted", "ada setrumnya",
		"masih ada setrum", "bersetrum", "beraliran listrik", "setrumnya"}
	liveWire = []string{"kabel putus", "kabel listrik putus", "kabel terkelupas", "kabel menjuntai", "kabel jatuh", "kabelnya terbuka", "kabel terbuka", "kabel nempel", "kabelnya nempel", "kabel menempel", "kabel kendor", "kabelnya menjuntai", "kabel sampai tanah",
		"tiang listrik patah", "tiang listrik roboh", "tiang listrik tumbang", "kabelnya putus"}
	wireState = []string{"nyetrum", "setrum", "kesetrum", "percikan", "api", "masih nyala", "jalan", "anak", "hujan", "seng",
		"atap", "tanah", "menjuntai", "rumah", "orang", "warga"}

	collapse = []string{"roboh", "ambruk", "runtuh", "ambrol", "tumbang", "longsor", "ketimbun", "tertimbun", "ketimpa",
		"tertimpa", "menimpa", "rubuh", "amblas", "jebol", "plafon jatuh", "atap jatuh", "tembok jatuh"}
	trapped = []string{"terjebak", "kejebak", "jebak", "terjepit", "kejepit", "tertimbun", "ketimbun", "tertimpa", "ketimpa",
		"masih ketimpa", "di dalam", "belum bisa dikeluarkan", "belum ketemu", "tidak bisa keluar", "menimpa",
		"terkubur", "di bawah reruntuhan", "masih di bawah", "di dalamnya", "ada orang", "penghuninya", "menggantung",
		"menimbun", "tertindih", "ketindihan"}
	imminent = []string{"mau roboh", "hampir roboh", "nyaris roboh", "mau ambruk", "hampir ambruk", "mau runtuh",
		"mau putus", "talinya putus", "goyang parah", "doyong", "miring"}

	flood     = []string{"banjir", "meluap", "luapan", "kebanjiran", "air masuk", "air sungai", "air kali", "air banjir", "rob"}
	floodDeep = []string{"terjebak", "kejebak", "tidak bisa keluar rumah", "tidak bisa naik", "sedada", "setinggi dada",
		"sepinggang", "setinggi pinggang", "seleher", "setinggi leher", "sampai atap", "terus naik", "hanyut", "terbawa arus",
		"sampai leher", "naik ke atap", "di atas atap", "sampai dada", "sampai pinggang", "belum dievakuasi", "sedodo"}
	drown = []string{"tenggelam", "hanyut", "terbawa arus", "kelelep", "keseret arus", "terseret arus", "belum muncul",
		"kecemplung", "nyemplung", "jatuh ke sumur", "jatuh ke sungai", "masuk sumur", "tercebur", "kecebur"}
	floodHome = []string{"masuk rumah", "merendam rumah", "rumah terendam", "air masuk", "kebanjiran", "banjir"}
	floodWeak = []string{"lumpuh", "stroke", "tidak bisa jalan", "bayi", "balita", "lansia", "nenek", "kakek", "ibu hamil",
		"sakit", "disabilitas", "baru melahirkan"}
	poisonMass = []string{"keracunan", "keracunan massal"}
	manyPeople = []string{"puluhan", "banyak warga", "massal", "semua", "ratusan", "belasan", "orang", "warga"}
	sickMass   = []string{"muntah", "diare", "mual", "pusing", "pingsan", "mencret"}
	ate        = []string{"makan", "nasi kotak", "hajatan", "makanan", "minum", "air sumur", "jajan", "oplosan", "miras"}

	swallow = []string{"nelan", "menelan", "ketelan", "tertelan", "minum", "meminum", "keminum"}
	toxic   = []string{"obat nyamuk", "racun", "pestisida", "baygon", "bensin", "minyak tanah", "pembersih lantai",
		"soda api", "cairan pembersih", "deterjen", "obat tikus", "karbol", "pemutih", "obat banyak", "banyak obat"}
	fireNear = []string{"tolong", "membesar", "menjalar", "merembet", "berkobar", "gudang", "kios", "rumah", "dapur",
		"pasar", "toko", "warung", "gedung", "pabrik", "kandang"}
	bite = []string{"gigit", "digigit", "menggigit", "cakar", "dicakar", "gigitan", "bite", "bitten", "patuk", "dipatuk",
		"mematuk", "dipagut"}
	animal  = []string{"anjing", "asu", "kucing", "kera", "monyet", "ular", "tikus", "kelelawar", "dog", "rabies", "babi hutan", "kobra", "ular kobra", "snake"}
	rabid   = []string{"gila", "rabies", "ngamuk", "mengamuk", "air liur", "liurnya", "berbusa", "ngiler"}
	hungerV = []string{"gizi buruk", "busung lapar", "kurus kering", "tinggal tulang", "kelaparan", "tidak makan dari",
		"belum makan dari", "tidak makan berhari", "marasmus"}
	alone   = []string{"sebatang kara", "tinggal sendiri", "tinggal sendirian", "hidup sendiri", "sendirian", "tidak ada yang ngurus", "tidak ada yang merawat", "terlantar"}
	welfare = []string{"tidak keluar rumah", "tidak jawab", "tidak menjawab", "tidak bisa bangun", "sakit parah",
		"tidak makan", "pintu terkunci", "tidak ada kabar", "tidak ada respon", "tidak menyahut", "tidak ada jawaban",
		"pintunya tertutup", "tidak kelihatan", "pintunya terkunci", "tidak terlihat", "rumahnya bau"}
	theft = []string{"dicuri", "kecurian", "dicopet", "kecopetan", "dijambret", "maling", "kemalingan", "dicolong"}
	// medicalUnreal: a question, a drill, or a near miss ("hampir pingsan").
	medicalUnreal = []string{"kalau", "jika", "bila", "seandainya", "tanya", "cara", "pelatihan", "sering", "hampir", "nyaris", "sampai mau"}
	// aboutOrFear, up to eight words before a danger, says it is talked
	// about or feared, not happening: every rule reads it so.
	aboutOrFear = []string{"film", "berita", "cerita", "tentang", "artikel", "video", "sinetron", "materi",
		"penyuluhan", "seminar", "takut ada", "khawatir ada", "jangan sampai", "kalau sampai", "takutnya", "bisa bisa"}
	abandon = []string{"ditinggal", "dibuang", "ditelantarkan", "ditaruh", "diletakkan", "ditemukan", "di tempat sampah", "dalam kardus"}
	babyBox = []string{"bayi", "orok", "balita"}
)

var safetyRules = []safetyRule{
	{name: "orang hilang", all: [][]string{missing, vulnerablePerson}, resolved: append(found, theft...), blockers: objects, window: 16, before: true,
		unreal:  []string{"kalau", "jika", "bila", "seandainya", "tanya", "cara"},
		urgency: 5, kategori: "keamanan", sub: "orang_hilang", keep: []string{"keamanan"}},
	{name: "orang hilang", all: [][]string{{"kehilangan", "mencari", "nyari", "cari"}, vulnerablePerson, {"hilang", "belum ketemu", "belum ditemukan", "sejak", "dari tadi", "dari pagi", "dari siang", "dari sore", "dari semalam"}},
		resolved: append(found, theft...), window: 6,
		urgency: 5, kategori: "keamanan", sub: "orang_hilang", keep: []string{"keamanan"}},
	{name: "niat bunuh diri", all: [][]string{selfHarm}, resolved: pastSafe,
		unreal:  []string{"sosialisasi", "pelatihan", "berita", "film", "cegah", "pencegahan"},
		urgency: 5, kategori: "kesehatan", sub: "krisis_jiwa", keep: []string{"kesehatan", "sosial"}},
	{name: "akan melompat dari ketinggian", all: [][]string{jump, heights, intent}, resolved: pastSafe, window: 10,
		unreal:  []string{"lomba", "olahraga", "latihan", "main"},
		urgency: 5, kategori: "kesehatan", sub: "krisis_jiwa", keep: []string{"kesehatan", "sosial"}},
	{name: "kebocoran gas, risiko ledakan", all: [][]string{gas, gasLeak}, resolved: gasSafe, window: 10,
		unreal:  []string{"sosialisasi", "pelatihan", "simulasi", "harga", "tanya", "cara"},
		urgency: 5, kategori: "bencana", sub: "kebocoran_gas", keep: []string{"bencana"}},
	{name: "kebakaran atau asap", all: [][]string{fireWord}, resolved: fireOut, unreal: drill,
		urgency: 5, kategori: "bencana", sub: "kebakaran", keep: []string{"bencana"}},
	{name: "api di bangunan", all: [][]string{{"api", "apinya"}, fireNear}, resolved: fireOut, unreal: drill, window: 5,
		blockers: []string{"pemadam", "alat", "kompor", "korek"},
		urgency:  5, kategori: "bencana", sub: "kebakaran", keep: []string{"bencana"}},
	{name: "menelan racun", all: [][]string{swallow, toxic}, resolved: pastSafe, window: 4,
		unreal:  []string{"kalau", "jika", "bila", "tanya", "jangan"},
		urgency: 5, kategori: "kesehatan", sub: "gawat_darurat", keep: []string{"kesehatan"}},
	{name: "orang tidak sadar atau gawat darurat", all: [][]string{medical}, resolved: pastSafe, unreal: medicalUnreal,
		urgency: 5, kategori: "kesehatan", sub: "gawat_darurat", keep: []string{"kesehatan", "keamanan", "bencana", "sosial"}},
	{name: "orang tidak bergerak atau berdarah", all: [][]string{medicalPerson, person}, resolved: pastSafe, unreal: medicalUnreal, window: 10,
		urgency: 5, kategori: "kesehatan", sub: "gawat_darurat", keep: []string{"kesehatan", "keamanan", "bencana", "sosial"}},
	{name: "korban jiwa", all: [][]string{dead}, resolved: pastSafe, unreal: past,
		urgency: 5, kategori: "kesehatan", sub: "gawat_darurat", keep: []string{"kesehatan", "keamanan", "bencana", "infrastruktur"}},
	{name: "kecelakaan dengan korban meninggal", all: [][]string{deadWeak, accident}, resolved: pastSafe, unreal: past, window: 10,
		urgency: 5, kategori: "kesehatan", sub: "gawat_darurat", keep: []string{"kesehatan", "keamanan", "bencana", "infrastruktur"}},
	{name: "kecelakaan dengan korban luka", all: [][]string{accident, injury}, resolved: pastSafe, unreal: past, window: 12,
		urgency: 4, kategori: "kesehatan", sub: "gawat_darurat", keep: []string{"kesehatan", "keamanan", "infrastruktur", "bencana"}},
	{name: "persalinan darurat", all: [][]string{birth, birthCrisi}, resolved: pastSafe, window: 10,
		unreal:  []string{"tanya", "cara", "syarat", "biaya", "kelas", "senam", "akta", "surat", "keterangan"},
		urgency: 5, kategori: "kesehatan", sub: "gawat_darurat", keep: []string{"kesehatan"}},
	{name: "kekerasan dengan senjata", all: [][]string{weapon, attack}, resolved: pastSafe, window: 6,
		unreal:  []string{"kalau", "jika", "usul", "tanya"},
		urgency: 5, kategori: "keamanan", sub: "kekerasan", keep: []string{"keamanan"}},
	{name: "kekerasan terhadap orang", all: [][]string{hit, hitTarget}, resolved: pastSafe, window: 4,
		unreal:  []string{"tanya", "cara", "sosialisasi", "pencegahan", "cegah", "berita", "jangan"},
		urgency: 5, kategori: "keamanan", sub: "kekerasan", keep: []string{"keamanan", "pendidikan", "sosial"}},
	{name: "ancaman pembunuhan atau pembakaran", all: [][]string{threat, threatHarm}, resolved: pastSafe, window: 5,
		unreal:  []string{"tanya", "sosialisasi", "berita"},
		urgency: 5, kategori: "keamanan", sub: "kekerasan", keep: []string{"keamanan"}},
	{name: "kekerasan terhadap orang", all: [][]string{beating}, resolved: pastSafe,
		unreal:  []string{"tanya", "cara", "sosialisasi", "pencegahan", "cegah", "berita"},
		urgency: 5, kategori: "keamanan", sub: "kekerasan", keep: []string{"keamanan", "pendidikan", "sosial"}},
	{name: "tersengat listrik", all: [][]string{electric}, resolved: pastSafe, window: 8,
		unreal:  []string{"tanya", "pelatihan", "sosialisasi"},
		urgency: 5, kategori: "infrastruktur", sub: "listrik", keep: []string{"infrastruktur", "kesehatan", "bencana"}},
	{name: "kabel listrik terbuka", all: [][]string{liveWire, wireState}, resolved: pastSafe, window: 12,
		urgency: 5, kategori: "infrastruktur", sub: "listrik", keep: []string{"infrastruktur", "bencana"}},
	{name: "bangunan atau pohon roboh menimpa orang", all: [][]string{collapse, trapped}, resolved: pastSafe, window: 12,
		unreal:  []string{"kalau", "jika", "bisa", "takut", "khawatir"},
		urgency: 5, kategori: "bencana", sub: "longsor", keep: []string{"bencana", "infrastruktur", "pendidikan"}},
	{name: "bangunan atau pohon roboh di dekat orang", all: [][]string{collapse, person}, resolved: pastSafe, window: 8,
		unreal:  []string{"kalau", "jika", "bisa", "takut", "khawatir", "tanya"},
		urgency: 4, kategori: "bencana", sub: "longsor", keep: []string{"bencana", "infrastruktur", "pendidikan", "lingkungan", "sosial"}},
	{name: "struktur hampir roboh dipakai orang", all: [][]string{imminent, person}, resolved: pastSafe, window: 14,
		urgency: 4, kategori: "infrastruktur", sub: "jembatan", keep: []string{"infrastruktur", "bencana", "pendidikan"}},
	{name: "banjir dengan warga terjebak", all: [][]string{flood, floodDeep}, resolved: []string{"sudah surut", "sudah dievakuasi"}, window: 14,
		unreal:  []string{"kalau", "jika", "bisa", "takut", "khawatir", "tanya", "usul"},
		urgency: 5, kategori: "bencana", sub: "banjir_besar", keep: []string{"bencana"}},
	{name: "air masuk rumah dengan warga rentan di dalam", all: [][]string{floodHome, floodWeak}, resolved: []string{"sudah surut", "sudah dievakuasi", "sudah mengungsi"}, window: 14,
		unreal:  []string{"kalau", "jika", "takut", "khawatir", "tanya", "usul", "dulu", "pernah", "tiap"},
		urgency: 4, kategori: "bencana", sub: "banjir_besar", keep: []string{"bencana", "lingkungan"}},
	{name: "orang tenggelam atau hanyut", all: [][]string{drown, person}, resolved: found, window: 10,
		urgency: 5, kategori: "bencana", sub: "banjir_besar", keep: []string{"bencana"}},
	{name: "terjebak", all: [][]string{{"terjebak", "kejebak", "terperangkap", "terkunci di dalam", "terkunci dalam"}, person}, resolved: found, window: 8,
		unreal:  []string{"macet", "hujan"},
		urgency: 5, kategori: "bencana", sub: "banjir_besar", keep: []string{"bencana", "keamanan", "kesehatan"}},
	{name: "keracunan", all: [][]string{poisonMass}, resolved: pastSafe,
		unreal:  []string{"tanya", "cara", "sosialisasi", "takut", "khawatir"},
		urgency: 5, kategori: "kesehatan", sub: "penyakit", keep: []string{"kesehatan", "keamanan"}},
	{name: "keracunan massal", all: [][]string{sickMass, manyPeople, ate}, resolved: pastSafe, window: 12,
		urgency: 5, kategori: "kesehatan", sub: "penyakit", keep: []string{"kesehatan"}},
	{name: "gigitan hewan (rabies)", all: [][]string{bite, animal}, resolved: pastSafe, window: 8,
		unreal:  []string{"kalau", "jika", "bila", "seandainya", "misal"},
		urgency: 4, kategori: "kesehatan", sub: "gigitan_hewan", keep: []string{"kesehatan"}},
	{name: "hewan rabies menyerang", all: [][]string{animal, rabid}, resolved: pastSafe, window: 8,
		unreal:  []string{"kalau", "jika", "vaksin", "tanya", "sosialisasi"},
		urgency: 4, kategori: "kesehatan", sub: "gigitan_hewan", keep: []string{"kesehatan"}},
	{name: "gizi buruk atau kelaparan", all: [][]string{hungerV}, resolved: []string{"sudah sehat", "sudah sembuh", "sudah membaik", "sudah naik"},
		unreal:  []string{"dulu", "pernah", "sosialisasi", "pencegahan", "cegah", "tanya", "program"},
		urgency: 5, kategori: "kesehatan", sub: "gizi_buruk", keep: []string{"kesehatan", "sosial"}},
	{name: "lansia sendirian tidak ada kabar", all: [][]string{alone, welfare}, resolved: found, window: 16,
		urgency: 5, kategori: "sosial", sub: "lansia_disabilitas", keep: []string{"sosial", "kesehatan"}},
	{name: "bayi ditelantarkan", all: [][]string{babyBox, abandon}, resolved: found, window: 6,
		urgency: 5, kategori: "sosial", sub: "pmks", keep: []string{"sosial"}},
}

// safetyHit is a rule that fired, with the words that made it fire.
type safetyHit struct {
	rule  *safetyRule
	words []string
}

// reason is what the moderator reads: "orang hilang: anak + belum pulang".
func (h safetyHit) reason() string {
	return h.rule.name + ": " + strings.Join(h.words, " + ")
}

// safetyLexicon is safetyRules compiled: each phrase in canonical tokens,
// indexed by its first token, with the slang and affixes people use.
type safetyLexicon struct {
	vocab map[string]bool
	// deletes maps a vocabulary word of seven letters or more, with one
	// letter dropped, to the word; "" when two words give the same.
	deletes map[string]string
	byFirst map[string][]safetyPhrase
	rules   []compiledSafetyRule
	// anchors maps a phrase to the rules whose first group holds it: only
	// those can fire when it is found.
	anchors map[string][]int
}

type safetyPhrase struct {
	key    string
	tokens []string
}

type compiledSafetyRule struct {
	*safetyRule
	all                        []map[string]bool // phrase keys per group
	resolved, unreal, blockers map[string]bool
	about                      map[string]bool // aboutOrFear, read up to 8 words back
}

// safetySlang maps what people write to the floor's words; the rules'
// normalize.slang is not used, so an override cannot weaken the floor.
var safetySlang = map[string]string{
	"ga": "tidak", "gak": "tidak", "gk": "tidak", "nggak": "tidak", "ngga": "tidak", "enggak": "tidak",
	"engga": "tidak", "ndak": "tidak", "tdk": "tidak", "tak": "tidak", "ra": "tidak", "ora": "tidak",
	"mboten": "tidak", "boten": "tidak", "dereng": "belum", "durung": "belum", "blm": "belum", "belom": "belum",
	"udah": "sudah", "udh": "sudah", "sdh": "sudah", "wis": "sudah", "wes": "sudah", "sampun": "sudah", "dah": "sudah",
	"ank": "anak", "anakku": "anak", "bocil": "anak", "cah": "anak", "bocahe": "bocah", "simbah": "mbah", "mbahku": "mbah",
	"sepuh": "lansia", "manula": "lansia", "jompo": "lansia", "ilang": "hilang", "ilange": "hilang", "ngilang": "hilang",
	"tlg": "tolong", "tulung": "tolong", "sgr": "segera", "bpk": "bapak", "ibuk": "ibu",
	"ortunya": "ortu", "bojo": "suami", "putu": "cucu", "wangsul": "pulang", "mulih": "pulang", "bali": "pulang",
	"plg": "pulang", "plng": "pulang", "td": "tadi", "dr": "dari", "dri": "dari", "ketemu": "ketemu", "ketemune": "ketemu", "nafas": "napas", "nafase": "napas", "ambegan": "napas",
	"semaput": "pingsan", "klenger": "pingsan", "getih": "darah", "getihen": "berdarah",
	"loncat": "loncat", "mlumpat": "lompat", "njegur": "terjun", "nyebur": "terjun", "kobong": "kobong",
	"geni": "api", "genine": "api", "kebakar": "terbakar", "kobongan": "kobongan", "asepe": "asap", "elpijine": "elpiji",
	"meleduk": "meledak", "mbledug": "meledak", "njeblug": "njeblug", "setrum": "setrum", "nyetrum": "nyetrum",
	"kesetrum": "kesetrum", "ambruk": "ambruk", "ambrol": "ambrol", "rubuh": "roboh", "ketiban": "tertimpa",
	"kelelep": "kelelep", "mati": "mati", "tewas": "tewas", "sedodo": "sedada", "sedhadha": "sedada",
	"liure": "liurnya", "asu": "anjing", "kirik": "anjing", "ngamuk": "ngamuk", "gelut": "ribut", "bacok": "bacok",
	"nusuk": "tusuk", "clurit": "clurit", "arit": "celurit", "lahiran": "lahiran", "mbabar": "melahirkan",
	"gerak": "gerak", "obah": "gerak", "tangi": "bangun", "dibawa": "dibawa", "ngancam": "ancam",
	"laka": "laka", "nabrak": "tabrak", "ditabrak": "ditabrak", "ketabrak": "ketabrak", "kecemplung": "nyemplung",
	"kabele": "kabel", "kabelnya": "kabel", "mukulin": "mukulin", "ngeroyok": "keroyok", "digebukin": "digebuki",
	"dipukulin": "dipukuli", "kejebak": "kejebak", "nyengat": "nyengat", "bau": "bau", "mambu": "bau",
}

// maxSafetyRules bounds the rules, for check's flags on the stack.
const maxSafetyRules = 64

var safetyLex = compileSafety(safetyRules)

func compileSafety(rules []safetyRule) *safetyLexicon {
	if len(rules) > maxSafetyRules {
		panic("triage: more safety rules than maxSafetyRules")
	}
	lx := &safetyLexicon{vocab: map[string]bool{}, byFirst: map[string][]safetyPhrase{}, anchors: map[string][]int{}}
	seen := map[string]bool{}
	add := func(p string) string {
		toks := tokenize(p)
		key := strings.Join(toks, " ")
		if !seen[key] {
			seen[key] = true
			lx.byFirst[toks[0]] = append(lx.byFirst[toks[0]], safetyPhrase{key: key, tokens: toks})
			for _, t := range toks {
				lx.vocab[t] = true
			}
		}
		return key
	}
	set := func(list []string) map[string]bool {
		m := make(map[string]bool, len(list))
		for _, p := range list {
			m[add(p)] = true
		}
		return m
	}
	for i := range rules {
		c := compiledSafetyRule{safetyRule: &rules[i]}
		for _, g := range rules[i].all {
			c.all = append(c.all, set(g))
		}
		c.resolved, c.unreal, c.blockers = set(rules[i].resolved), set(rules[i].unreal), set(rules[i].blockers)
		c.about = set(aboutOrFear)
		for key := range c.all[0] {
			lx.anchors[key] = append(lx.anchors[key], i)
		}
		lx.rules = append(lx.rules, c)
	}
	for _, w := range []string{"sudah", "belum", "tidak", "yang", "saya", "aku", "kami", "nya", "ada", "tanpa", "bukan"} {
		lx.vocab[w] = true
	}
	lx.deletes = deletions(lx.vocab, 7)
	return lx
}

// canon maps one written token to the floor's word: slang, then the word
// itself, then the word without Indonesian or Javanese affixes.
func (lx *safetyLexicon) canon(t string) string {
	if to, ok := safetySlang[t]; ok {
		return to
	}
	if lx.vocab[t] {
		return t
	}
	if r, ok := strings.CutSuffix(t, "in"); ok && lx.vocab[r] {
		return r
	}
	if len(t) < 5 {
		return t
	}
	// As stems does, without building the list: a suffix, a prefix, both.
	for _, s := range suffixes {
		if r, ok := strings.CutSuffix(t, s); ok && len(r) >= 3 {
			if w, ok := lx.known(r); ok {
				return w
			}
		}
	}
	for _, p := range prefixes {
		r, ok := strings.CutPrefix(t, p)
		if !ok || len(r) < 3 {
			continue
		}
		if w, ok := lx.known(r); ok {
			return w
		}
		for _, s := range suffixes {
			if rr, ok := strings.CutSuffix(r, s); ok && len(rr) >= 3 {
				if w, ok := lx.known(rr); ok {
					return w
				}
			}
		}
	}
	return lx.typo(t)
}

// typo corrects one dropped vowel of a word of seven letters or more
// ("pingsn"), one doubled letter or two swapped letters in a word of seven or
// more ("kebakkaran", "tenggleam"). The pairs are built in a buffer:
// looking them up allocates nothing.
func (lx *safetyLexicon) typo(t string) string {
	if len(t) < 6 || len(t) > 30 || !isASCII(t) {
		return t
	}
	// A dropped vowel, the way people abbreviate ("pingsn"); a dropped
	// consonant is often another word ("dikeruk" is not "dikepruk").
	if w := lx.deletes[t]; w != "" && isVowel(missingLetter(t, w)) {
		return w
	}
	if len(t) < 7 {
		return t
	}
	var buf [32]byte
	for i := range len(t) {
		// An extra letter only where a key was held ("kebakkaran").
		if (i == 0 || t[i] != t[i-1]) && (i+1 == len(t) || t[i] != t[i+1]) {
			continue
		}
		d := append(append(buf[:0], t[:i]...), t[i+1:]...)
		if lx.vocab[string(d)] {
			return string(d)
		}
	}
	b := append(buf[:0], t...)
	for i := 0; i+1 < len(b); i++ {
		if b[i] == b[i+1] {
			continue
		}
		b[i], b[i+1] = b[i+1], b[i]
		if lx.vocab[string(b)] {
			return string(b)
		}
		b[i], b[i+1] = b[i+1], b[i]
	}
	return t
}

func (lx *safetyLexicon) known(w string) (string, bool) {
	if to, ok := safetySlang[w]; ok {
		return to, true
	}
	return w, lx.vocab[w]
}

// safetyMatch is one phrase found at a token position.
type safetyMatch struct {
	key string
	pos int
	// negated: "tidak ada (yang) pingsan", "bukan kebakaran".
	negated bool
}

// check returns the rules that fire on the tokens of a message, most urgent
// first.
func (lx *safetyLexicon) check(raw []string) []safetyHit {
	toks := make([]string, len(raw))
	for i, t := range raw {
		toks[i] = lx.canon(t)
	}
	var found []safetyMatch
	var candidate [maxSafetyRules]bool
	anyCandidate := false
	for i, t := range toks {
		for _, p := range lx.byFirst[t] {
			if hasPrefixTokens(toks[i:], p.tokens) {
				found = append(found, safetyMatch{key: p.key, pos: i, negated: negatedAt(toks, i)})
				for _, r := range lx.anchors[p.key] {
					candidate[r], anyCandidate = true, true
				}
			}
		}
	}
	if !anyCandidate {
		return nil
	}
	var hits []safetyHit
	for i := range lx.rules {
		if !candidate[i] {
			continue
		}
		if h, ok := lx.rules[i].fire(found, toks); ok {
			hits = append(hits, h)
		}
	}
	// Most urgent first; among equals, the order of safetyRules.
	for i := 1; i < len(hits); i++ {
		for j := i; j > 0 && hits[j].rule.urgency > hits[j-1].rule.urgency; j-- {
			hits[j], hits[j-1] = hits[j-1], hits[j]
		}
	}
	return hits
}

func (r *compiledSafetyRule) fire(found []safetyMatch, toks []string) (safetyHit, bool) {
	for _, m := range found {
		if r.resolved[m.key] && !hearsay(toks, m.pos) {
			return safetyHit{}, false
		}
	}
	window := r.window
	if window == 0 {
		window = 8
	}
anchors:
	for _, a := range found {
		if !r.all[0][a.key] || a.negated {
			continue
		}
		for _, m := range found {
			if d := a.pos - m.pos; d > 0 && ((r.unreal[m.key] && d <= 4 || r.about[m.key] && d <= 8) || r.blockers[m.key] && d <= 2) {
				continue anchors
			}
		}
		words := []string{a.key}
	groups:
		for _, g := range r.all[1:] {
			for _, m := range found {
				if g[m.key] && m.key != a.key && abs(m.pos-a.pos) <= window && (!r.before || m.pos < a.pos) &&
					!r.blocked(found, m.pos) {
					words = append(words, m.key)
					continue groups
				}
			}
			continue anchors
		}
		return safetyHit{rule: r.safetyRule, words: words}, true
	}
	return safetyHit{}, false
}

// hearsay reports whether the words before pos report what someone said:
// "gurunya bilang sudah pulang" does not say the child is home.
func hearsay(toks []string, pos int) bool {
	for i := max(0, pos-3); i < pos; i++ {
		switch toks[i] {
		case "bilang", "katanya", "kata", "ngaku", "mengaku", "ngomong":
			return true
		}
	}
	return false
}

// blocked reports whether a blocker stands just before pos: "KTP anak saya"
// is the KTP, not the child.
func (r *compiledSafetyRule) blocked(found []safetyMatch, pos int) bool {
	for _, m := range found {
		if d := pos - m.pos; d > 0 && d <= 2 && r.blockers[m.key] {
			return true
		}
	}
	return false
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// applySafetyFloor raises t to the floor of the most urgent rule that fires on
// msg: urgency, escalation, the reason among the critical keywords, and a
// kategori and unit when the classifier's kategori is not one the danger
// belongs to. It only ever raises urgency.
//
// raw is tokenize(msg.Problem) when the caller has it; nil tokenizes.
func applySafetyFloor(t *Triage, msg Message, r *Rules, raw []string) {
	if raw == nil {
		raw = tokenize(msg.Problem)
	}
	hits := safetyLex.check(raw)
	if len(hits) == 0 {
		return
	}
	top := hits[0]
	for _, h := range hits {
		t.CriticalKeywords = append(t.CriticalKeywords, h.reason())
		t.Safety = append(t.Safety, h.rule.name)
	}
	t.Escalate = true
	if top.rule.urgency > t.Urgency {
		t.Urgency = top.rule.urgency
		t.Severity = SeverityFor(t.Urgency)
		t.SuggestedResponse = suggestedResponse(t.Urgency)
	}
	// A kategori that fits any of the most urgent dangers found stays: "banjir bandang …
	// anak hilang terbawa arus" is a bencana, though a missing child ranks
	// as high.
	for _, h := range hits {
		if h.rule.urgency == top.rule.urgency && slices.Contains(h.rule.keep, t.Kategori) {
			return
		}
	}
	s := r.lex.sub(top.rule.kategori, top.rule.sub)
	if s == nil {
		return
	}
	t.Kategori, t.Subkategori, t.Unit = top.rule.kategori, s.rule.Name, s.unit
	lokasi := lokasiText(msg.RT, msg.RW)
	t.Summary = strings.ReplaceAll(s.rule.Summary, "{lokasi}", lokasi)
	t.Diagnosis = s.rule.Diagnosis
	t.Solutions = s.rule.Solutions
	t.Steps = append([]string(nil), s.rule.Steps...)
}
