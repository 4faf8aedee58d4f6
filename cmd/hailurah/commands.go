package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"golang.org/x/term"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/store"
	"github.com/hailurah/hailurah/triage"
)

func runMigrate(ctx context.Context, cfg Config, logger *slog.Logger, args []string, out io.Writer) error {
	if len(args) != 1 {
		return errors.New("pemakaian: hailurah migrate up|down|status")
	}
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return err
	}
	db, err := store.Open(ctx, cfg.DatabaseURL, cfg.DataDir, logger)
	if err != nil {
		return err
	}
	defer db.Close()
	switch args[0] {
	case "up":
		if err := db.MigrateUp(ctx); err != nil {
			return err
		}
		rules, err := triage.LoadRules(cfg.RulesPath)
		if err != nil {
			return err
		}
		added, err := addMissingUnits(ctx, db, rules)
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "Migrasi %s selesai; %d unit dinas baru dari rules.yaml.\n", db.Dialect(), added)
		return db.MigrationStatus(ctx, out)
	case "down":
		return db.MigrateDown(ctx)
	case "status":
		return db.MigrationStatus(ctx, out)
	}
	return fmt.Errorf("migrate: %q bukan up, down atau status", args[0])
}

// addMissingUnits creates the city's dinas units that rules.yaml names and
// the database lacks. Existing units keep what an admin set.
func addMissingUnits(ctx context.Context, db *store.DB, rules *triage.Rules) (int, error) {
	added := 0
	for _, u := range rules.Units() {
		_, err := db.FindUnit(ctx, u.Code)
		if err == nil {
			continue
		} else if hailurah.ErrorCode(err) != hailurah.ENOTFOUND {
			return added, err
		}
		if err := db.UpsertUnit(ctx, &u); err != nil {
			return added, err
		}
		added++
	}
	return added, nil
}

func runKelurahan(ctx context.Context, cfg Config, logger *slog.Logger, args []string, out, errOut io.Writer) error {
	if len(args) == 0 || (args[0] != "add" && args[0] != "list") {
		return errors.New("pemakaian: hailurah kelurahan add|list …")
	}
	db, err := store.Open(ctx, cfg.DatabaseURL, cfg.DataDir, logger)
	if err != nil {
		return err
	}
	defer db.Close()
	if args[0] == "list" {
		all, err := db.ListKelurahan(ctx)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "KODE\tNAMA\tKECAMATAN\tKOTA\tLURAH\tANGGARAN HIBAH")
		for _, k := range all {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d\n", k.Code, k.Name, k.Kecamatan, k.Kota, k.LurahName, k.GrantBudget)
		}
		return tw.Flush()
	}
	fs := flag.NewFlagSet("kelurahan add", flag.ContinueOnError)
	fs.SetOutput(errOut)
	name := fs.String("name", "", "nama kelurahan (wajib)")
	kecamatan := fs.String("kecamatan", "", "kecamatan")
	kota := fs.String("kota", "Madiun", "kota")
	lurah := fs.String("lurah", "", "nama lurah")
	budget := fs.Int64("grant-budget", 150_000_000, "anggaran hibah produktif (rupiah)")
	rest := args[1:]
	var code string
	if len(rest) > 0 && !strings.HasPrefix(rest[0], "-") {
		code, rest = rest[0], rest[1:]
	}
	if err := fs.Parse(rest); err != nil {
		return err
	}
	if code == "" && fs.NArg() == 1 {
		code = fs.Arg(0)
	}
	code = strings.ToLower(strings.TrimSpace(code))
	if code == "" || *name == "" || !validCode(code) {
		return errors.New("pemakaian: hailurah kelurahan add KODE --name NAMA [--kecamatan K] [--lurah NAMA] (KODE: huruf kecil, angka, tanda hubung)")
	}
	k := &hailurah.Kelurahan{Code: code, Name: *name, Kecamatan: *kecamatan, Kota: *kota, LurahName: *lurah, GrantBudget: *budget}
	if err := db.UpsertKelurahan(ctx, k); err != nil {
		return errors.New(hailurah.ErrorMessage(err))
	}
	fmt.Fprintf(out, "Kelurahan %s (%s) disimpan.\n", k.Name, k.Code)
	return nil
}

func validCode(s string) bool {
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return len(s) <= 64
}

func runUser(ctx context.Context, cfg Config, logger *slog.Logger, args []string, out, errOut io.Writer) error {
	if len(args) == 0 {
		return errors.New("pemakaian: hailurah user add|list …")
	}
	db, err := store.Open(ctx, cfg.DatabaseURL, cfg.DataDir, logger)
	if err != nil {
		return err
	}
	defer db.Close()
	switch args[0] {
	case "add":
		return userAdd(ctx, db, args[1:], out, errOut)
	case "list":
		users, err := db.ListUsers(ctx, hailurah.UserFilter{})
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "USERNAME\tPERAN\tKELURAHAN\tUNIT\tNAMA\tWHATSAPP\tNONAKTIF")
		for _, u := range users {
			wa := u.Phone
			if wa != "" && !u.WhatsAppNotices {
				wa += " (notifikasi mati)"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%v\n", u.Username, u.Role, u.Kelurahan, u.Unit, u.Name, wa, u.Disabled)
		}
		return tw.Flush()
	}
	return fmt.Errorf("user: %q bukan add atau list", args[0])
}

func userAdd(ctx context.Context, db *store.DB, args []string, out, errOut io.Writer) error {
	fs := flag.NewFlagSet("user add", flag.ContinueOnError)
	fs.SetOutput(errOut)
	role := fs.String("role", "", "peran: admin, moderator, dinas, fasilitator, lurah")
	kel := fs.String("kelurahan", "", "kode kelurahan (moderator, fasilitator, lurah)")
	unit := fs.String("unit", "", "kode unit dinas (dinas)")
	name := fs.String("name", "", "nama lengkap")
	phone := fs.String("phone", "", "nomor WhatsApp untuk notifikasi dan perintah staf (+62…)")
	password := fs.String("password", "", "kata sandi (kosong: dibaca dari HAILURAH_NEW_PASSWORD atau ditanyakan)")
	// Accept the username before or after the flags.
	var username string
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		username, args = args[0], args[1:]
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if username == "" && fs.NArg() == 1 {
		username = fs.Arg(0)
	} else if fs.NArg() != 0 || username == "" {
		return errors.New("pemakaian: hailurah user add --role ROLE [--kelurahan KODE] [--unit KODE] [--phone +62…] USERNAME")
	}
	pw := *password
	if pw == "" {
		pw = os.Getenv("HAILURAH_NEW_PASSWORD")
	}
	if pw == "" {
		generated, err := promptPassword(errOut)
		if err != nil {
			return err
		}
		pw = generated
	}
	u := &hailurah.User{Username: strings.ToLower(username), Name: *name, Role: hailurah.Role(*role), Kelurahan: *kel, Unit: *unit, Phone: *phone}
	if u.Name == "" {
		u.Name = u.Username
	}
	if err := db.CreateUser(ctx, u, pw); err != nil {
		return errors.New(hailurah.ErrorMessage(err))
	}
	fmt.Fprintf(out, "Pengguna %s (%s) dibuat.\n", u.Username, u.Role.Label())
	if *password == "" && os.Getenv("HAILURAH_NEW_PASSWORD") == "" && !term.IsTerminal(int(os.Stdin.Fd())) {
		fmt.Fprintf(out, "Kata sandi: %s\n", pw)
	}
	return nil
}

// promptPassword asks on a terminal, or makes a random password otherwise
// (printed once after the user is created).
func promptPassword(errOut io.Writer) (string, error) {
	if !term.IsTerminal(int(os.Stdin.Fd())) {
		return randomHex(8), nil
	}
	fmt.Fprint(errOut, "Kata sandi baru: ")
	b, err := term.ReadPassword(int(os.Stdin.Fd()))
	fmt.Fprintln(errOut)
	if err != nil {
		return "", err
	}
	return string(b), nil
}

// runHealthcheck asks the local server's /readyz, for container health
// checks in images without curl.
func runHealthcheck(ctx context.Context, cfg Config) error {
	addr := cfg.Addr
	if strings.HasPrefix(addr, ":") {
		addr = "127.0.0.1" + addr
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+addr+"/readyz", nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("readyz: %s", resp.Status)
	}
	return nil
}

func runTriage(ctx context.Context, cfg Config, in io.Reader, out io.Writer) error {
	rules, err := triage.LoadRules(cfg.RulesPath)
	if err != nil {
		return err
	}
	c, err := triage.New(rules, cfg.GeminiAPIKey, cfg.GeminiModel, cfg.GeminiBaseURL)
	if err != nil {
		return err
	}
	return triage.RunCLI(ctx, in, out, c)
}
