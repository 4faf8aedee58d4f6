package triage

import (
	"strconv"
	"strings"
	"unicode"
)

// Command kinds a citizen can send at any time (the seed's SOP).
const (
	CommandAnonim     = "anonim"      // ANONIM YA/TIDAK
	CommandTembusan   = "tembusan"    // TEMBUSAN YA/TIDAK
	CommandLanjut     = "lanjut"      // LANJUT: send the AI advice now
	CommandSesudah    = "sesudah"     // SESUDAH: the problem is solved
	CommandBelum      = "belum"       // BELUM: not solved yet, reopen
	CommandMintaDraft = "minta_draft" // MINTA DRAFT [arg]: a request letter
	CommandStatus     = "status"      // STATUS [ticket]
	CommandRating     = "rating"      // 1–5
)

// Command is a citizen's reply that drives the case instead of opening a new
// curhat.
type Command struct {
	Kind   string
	Value  bool   // anonim/tembusan: YA is true
	Rating int    // 1–5, for CommandRating
	Arg    string // the words after MINTA DRAFT or STATUS, upper-cased
}

// Words that do not change what a short reply means ("sudah pak, terima
// kasih" is SESUDAH).
var commandFiller = map[string]bool{
	"pak": true, "bu": true, "bapak": true, "ibu": true, "min": true, "admin": true, "kak": true,
	"mas": true, "mbak": true, "ya": true, "iya": true, "nggih": true, "njih": true, "nggeh": true,
	"terima": true, "kasih": true, "makasih": true, "trims": true, "tks": true, "thanks": true,
	"matur": true, "nuwun": true, "suwun": true, "lurah": true, "kok": true, "kak2": true, "dong": true,
}

var (
	yesWords     = map[string]bool{"ya": true, "iya": true, "y": true, "yes": true, "yoi": true, "nggih": true, "inggih": true}
	noWords      = map[string]bool{"tidak": true, "tdk": true, "gak": true, "ga": true, "nggak": true, "enggak": true, "ndak": true, "no": true, "n": true, "mboten": true, "ora": true}
	doneWords    = map[string]bool{"sesudah": true, "sudah": true, "udah": true, "udh": true, "sdh": true, "dah": true, "sampun": true, "wis": true, "wes": true, "selesai": true, "beres": true, "rampung": true, "tuntas": true, "teratasi": true}
	notYetWords  = map[string]bool{"belum": true, "blm": true, "belom": true, "durung": true, "dereng": true}
	notYetFiller = map[string]bool{"selesai": true, "beres": true, "rampung": true, "tuntas": true, "masih": true, "teratasi": true}
	ratingWords  = map[string]bool{"rating": true, "nilai": true, "skor": true, "bintang": true, "rate": true}
	draftLead    = map[string]bool{"minta": true, "butuh": true, "mohon": true, "perlu": true}
	draftWords   = map[string]bool{"draft": true, "draf": true, "surat": true, "drafnya": true, "draftnya": true}
)

// ParseCommand recognises a citizen command in a short reply. It is
// deliberately strict: the whole message must be the command (with polite
// filler words), so "sudah 3 hari sampah belum diangkut" is a curhat, not
// SESUDAH.
func ParseCommand(text string) (Command, bool) {
	text = strings.TrimSpace(text)
	if text == "" || len([]rune(text)) > 120 {
		return Command{}, false
	}
	if n, ok := starRating(text); ok {
		return Command{Kind: CommandRating, Rating: n}, true
	}
	words := commandWords(text)
	if len(words) == 0 {
		return Command{}, false
	}
	first := words[0]
	rest := words[1:]

	switch {
	case first == "anonim" || first == "anonym" || first == "tembusan":
		kind := CommandAnonim
		if first == "tembusan" {
			kind = CommandTembusan
		}
		// "ya" is filler elsewhere but the answer here.
		var answer []string
		for _, w := range rest {
			if yesWords[w] || noWords[w] || !commandFiller[w] {
				answer = append(answer, w)
			}
		}
		if len(answer) == 1 && yesWords[answer[0]] {
			return Command{Kind: kind, Value: true}, true
		}
		if len(answer) == 1 && noWords[answer[0]] {
			return Command{Kind: kind, Value: false}, true
		}
		return Command{}, false
	case first == "butuh_surat" || first == "minta_draft":
		return Command{Kind: CommandMintaDraft, Arg: upperArg(rest)}, true
	case draftLead[first] && len(rest) > 0 && draftWords[rest[0]]:
		return Command{Kind: CommandMintaDraft, Arg: upperArg(rest[1:])}, true
	case first == "draft" || first == "draf":
		return Command{Kind: CommandMintaDraft, Arg: upperArg(rest)}, true
	case first == "status" || first == "cek" && len(rest) > 0 && rest[0] == "status":
		if first == "cek" {
			rest = rest[1:]
		}
		if len(rest) > 0 && (rest[0] == "tiket" || rest[0] == "laporan") {
			rest = rest[1:]
		}
		return Command{Kind: CommandStatus, Arg: upperArg(rest)}, true
	}

	core := dropFiller(words)
	if len(core) == 0 {
		return Command{}, false
	}
	if n, ok := numericRating(core); ok {
		return Command{Kind: CommandRating, Rating: n}, true
	}
	if len(core) == 1 && (core[0] == "lanjut" || core[0] == "lanjutkan" || core[0] == "lnjt") {
		return Command{Kind: CommandLanjut}, true
	}
	if allIn(core, notYetWords, notYetFiller) && anyIn(core, notYetWords) {
		return Command{Kind: CommandBelum}, true
	}
	if allIn(core, doneWords) {
		return Command{Kind: CommandSesudah}, true
	}
	return Command{}, false
}

// commandWords lower-cases and splits on anything but letters, digits, '_'
// and '/', so "SESUDAH." and "Anonim: ya" read as words.
func commandWords(text string) []string {
	return strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return !(unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_' || r == '/')
	})
}

func dropFiller(words []string) []string {
	out := words[:0:0]
	for _, w := range words {
		if !commandFiller[w] {
			out = append(out, w)
		}
	}
	return out
}

func allIn(words []string, sets ...map[string]bool) bool {
	for _, w := range words {
		found := false
		for _, s := range sets {
			if s[w] {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

func anyIn(words []string, set map[string]bool) bool {
	for _, w := range words {
		if set[w] {
			return true
		}
	}
	return false
}

// numericRating reads "5", "4/5", "rating 4", "nilai 3", "4 bintang".
func numericRating(words []string) (int, bool) {
	var nums []string
	for _, w := range words {
		if ratingWords[w] {
			continue
		}
		nums = append(nums, w)
	}
	if len(nums) != 1 {
		return 0, false
	}
	s := strings.TrimSuffix(nums[0], "/5")
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > 5 {
		return 0, false
	}
	return n, true
}

// starRating reads a reply made only of star emoji ("⭐⭐⭐⭐") or asterisks.
func starRating(text string) (int, bool) {
	n := 0
	for _, r := range text {
		switch {
		case r == '⭐' || r == '★' || r == '*' || r == '🌟':
			n++
		case r == '\uFE0F' || unicode.IsSpace(r):
			// The emoji variation selector and spaces between stars.
		default:
			return 0, false
		}
	}
	return n, n >= 1 && n <= 5
}

func upperArg(words []string) string {
	return strings.ToUpper(strings.Join(words, " "))
}
