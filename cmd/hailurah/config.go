package main

import (
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/media"
)

// Config is the program's configuration, read from the environment. The
// table in README.md lists every variable.
type Config struct {
	Addr            string // HAILURAH_ADDR
	BaseURL         string // HAILURAH_BASE_URL
	DataDir         string // HAILURAH_DATA_DIR
	Secret          string // HAILURAH_SECRET
	DatabaseURL     string // DATABASE_URL
	TemporalAddress string // TEMPORAL_ADDRESS
	DevTemporalAddr string // HAILURAH_DEV_TEMPORAL_ADDR
	DevUIAddr       string // HAILURAH_DEV_UI_ADDR
	Namespace       string // TEMPORAL_NAMESPACE
	TemporalAPIKey  string // TEMPORAL_API_KEY: Temporal Cloud's (or a proxy's) API key
	PayloadKey      string // HAILURAH_PAYLOAD_KEY: seals workflow payloads; "" derives it from HAILURAH_SECRET
	GeminiAPIKey    string // GEMINI_API_KEY
	GeminiModel     string // GEMINI_MODEL
	GeminiBaseURL   string // GEMINI_BASE_URL
	WhatsAppToken   string // WHATSAPP_TOKEN
	WhatsAppPhoneID string // WHATSAPP_PHONE_NUMBER_ID
	WhatsAppSecret  string // WHATSAPP_APP_SECRET
	WhatsAppVerify  string // WHATSAPP_VERIFY_TOKEN
	WhatsAppAPIBase string // WHATSAPP_API_BASE
	WhatsAppNumber  string // HAILURAH_WHATSAPP_NUMBER: the city's WhatsApp number as citizens dial it, shown on the front page
	// MapTiles is HAILURAH_MAP_TILES: the maps' tile URL template
	// ({z}/{x}/{y}); "off" draws only the RW×RT grid (no internet).
	MapTiles       string
	RulesPath      string        // HAILURAH_RULES
	DemoPassword   string        // HAILURAH_DEMO_PASSWORD
	TZ             string        // HAILURAH_TZ
	SecureCookies  bool          // HAILURAH_SECURE_COOKIES
	MetricsToken   string        // HAILURAH_METRICS_TOKEN: bearer token for /metrics from off this machine
	LogLevel       string        // HAILURAH_LOG_LEVEL
	Retention      time.Duration // HAILURAH_RETENTION: how long a phone is kept after the case ends
	TrustedProxies []string      // HAILURAH_TRUSTED_PROXIES: addresses whose X-Forwarded-For is believed
	PprofAddr      string        // HAILURAH_PPROF_ADDR: loopback address for Go's profiles; "" is off
	MediaURL       string        // HAILURAH_MEDIA_URL: s3://bucket/prefix for citizens' attachments; "" keeps them in the data dir
	// Media is HAILURAH_MEDIA_URL opened (with HAILURAH_S3_ENDPOINT,
	// HAILURAH_S3_REGION, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY); nil
	// keeps the files under DataDir/media.
	Media media.Storage
	// TemporalUIOrigins is HAILURAH_TEMPORAL_UI_ORIGINS: the Temporal Web
	// UIs ("https://temporal.example.go.id") whose browsers may decode
	// payloads at the app's codec with an admin's session.
	TemporalUIOrigins []string
	// TemporalTLS is TEMPORAL_TLS_CERT, TEMPORAL_TLS_KEY, TEMPORAL_TLS_CA
	// and TEMPORAL_TLS_SERVER_NAME loaded: nil for plain gRPC.
	TemporalTLS *tls.Config
	// Zone is HAILURAH_TZ loaded: the one clock of SLAs, reminders,
	// reports and every time shown, given to everything Main starts.
	Zone hailurah.Zone
	// GrantPolicy is HAILURAH_GRANT_POLICY: overrides of the grant
	// process's durations ("verify_sla=3d,checkins=30d/60d/90d"); zero
	// values keep the seed's.
	GrantPolicy hailurah.GrantPolicy
}

// DefaultMapTiles is OpenStreetMap's tile server, the maps' default base
// layer.
const DefaultMapTiles = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"

// LoadConfig reads the configuration from getenv, applying defaults.
func LoadConfig(getenv func(string) string) (Config, error) {
	get := func(key, def string) string {
		if v := strings.TrimSpace(getenv(key)); v != "" {
			return v
		}
		return def
	}
	cfg := Config{
		Addr:            get("HAILURAH_ADDR", ":8080"),
		BaseURL:         get("HAILURAH_BASE_URL", ""),
		DataDir:         get("HAILURAH_DATA_DIR", "./data"),
		Secret:          get("HAILURAH_SECRET", ""),
		DatabaseURL:     get("DATABASE_URL", ""),
		TemporalAddress: get("TEMPORAL_ADDRESS", ""),
		DevTemporalAddr: get("HAILURAH_DEV_TEMPORAL_ADDR", "127.0.0.1:7233"),
		DevUIAddr:       get("HAILURAH_DEV_UI_ADDR", "127.0.0.1:8233"),
		Namespace:       get("TEMPORAL_NAMESPACE", "default"),
		TemporalAPIKey:  get("TEMPORAL_API_KEY", ""),
		PayloadKey:      get("HAILURAH_PAYLOAD_KEY", ""),
		GeminiAPIKey:    get("GEMINI_API_KEY", ""),
		GeminiModel:     get("GEMINI_MODEL", "gemini-2.5-flash"),
		GeminiBaseURL:   get("GEMINI_BASE_URL", ""),
		WhatsAppToken:   get("WHATSAPP_TOKEN", ""),
		WhatsAppPhoneID: get("WHATSAPP_PHONE_NUMBER_ID", ""),
		WhatsAppSecret:  get("WHATSAPP_APP_SECRET", ""),
		WhatsAppVerify:  get("WHATSAPP_VERIFY_TOKEN", ""),
		WhatsAppAPIBase: get("WHATSAPP_API_BASE", "https://graph.facebook.com/v23.0"),
		WhatsAppNumber:  get("HAILURAH_WHATSAPP_NUMBER", ""),
		MapTiles:        get("HAILURAH_MAP_TILES", DefaultMapTiles),
		RulesPath:       get("HAILURAH_RULES", ""),
		DemoPassword:    get("HAILURAH_DEMO_PASSWORD", ""),
		TZ:              get("HAILURAH_TZ", hailurah.DefaultZoneName),
		LogLevel:        get("HAILURAH_LOG_LEVEL", "info"),
		MetricsToken:    get("HAILURAH_METRICS_TOKEN", ""),
	}
	switch v := strings.ToLower(get("HAILURAH_SECURE_COOKIES", "false")); v {
	case "1", "true", "yes":
		cfg.SecureCookies = true
	case "0", "false", "no":
	default:
		return cfg, fmt.Errorf("HAILURAH_SECURE_COOKIES: %q is not true or false", v)
	}
	zone, err := hailurah.LoadZone(cfg.TZ)
	if err != nil {
		return cfg, fmt.Errorf("HAILURAH_TZ: unknown time zone %q", cfg.TZ)
	}
	cfg.Zone = zone
	if cfg.GrantPolicy, err = hailurah.ParseGrantPolicy(get("HAILURAH_GRANT_POLICY", "")); err != nil {
		return cfg, fmt.Errorf("HAILURAH_GRANT_POLICY: %s", hailurah.ErrorMessage(err))
	}
	cfg.GrantPolicy.Zone = zone
	retention := get("HAILURAH_RETENTION", "4320h")
	if cfg.Retention, err = time.ParseDuration(retention); err != nil || cfg.Retention <= 0 {
		return cfg, fmt.Errorf("HAILURAH_RETENTION: %q is not a positive duration such as 4320h (180 days)", retention)
	}
	for _, p := range strings.Split(get("HAILURAH_TRUSTED_PROXIES", ""), ",") {
		if p = strings.TrimSpace(p); p != "" {
			cfg.TrustedProxies = append(cfg.TrustedProxies, p)
		}
	}
	for _, o := range strings.Split(get("HAILURAH_TEMPORAL_UI_ORIGINS", ""), ",") {
		if o = strings.TrimSuffix(strings.TrimSpace(o), "/"); o != "" {
			cfg.TemporalUIOrigins = append(cfg.TemporalUIOrigins, o)
		}
	}
	if cfg.MapTiles, err = mapTiles(cfg.MapTiles); err != nil {
		return cfg, err
	}
	cfg.PprofAddr = get("HAILURAH_PPROF_ADDR", "")
	cfg.MediaURL = get("HAILURAH_MEDIA_URL", "")
	if cfg.Media, err = media.OpenStorage(cfg.MediaURL, cfg.DataDir, func(k string) string { return get(k, "") }); err != nil {
		return cfg, err
	}
	if err := checkPprofAddr(cfg.PprofAddr); err != nil {
		return cfg, err
	}
	if cfg.TemporalTLS, err = temporalTLS(get("TEMPORAL_TLS_CERT", ""), get("TEMPORAL_TLS_KEY", ""),
		get("TEMPORAL_TLS_CA", ""), get("TEMPORAL_TLS_SERVER_NAME", "")); err != nil {
		return cfg, err
	}
	if (cfg.TemporalTLS != nil || cfg.TemporalAPIKey != "") && cfg.TemporalAddress == "" {
		return cfg, errors.New("TEMPORAL_TLS_* and TEMPORAL_API_KEY are for a Temporal cluster: set TEMPORAL_ADDRESS too " +
			"(the embedded server of `hailurah dev` listens on loopback without them)")
	}
	if cfg.PayloadKey != "" && len(cfg.PayloadKey) < 32 {
		return cfg, errors.New("HAILURAH_PAYLOAD_KEY: use at least 32 characters")
	}
	if cfg.DatabaseURL != "" && !strings.HasPrefix(cfg.DatabaseURL, "postgres://") && !strings.HasPrefix(cfg.DatabaseURL, "postgresql://") {
		return cfg, errors.New("DATABASE_URL: must start with postgres:// or postgresql:// (leave it empty for SQLite in the data dir)")
	}
	return cfg, nil
}

// ensureSecret returns HAILURAH_SECRET, or in dev mode a random secret kept
// in the data dir so hashes and encrypted contacts survive a restart.
func (cfg *Config) ensureSecret(dev bool) error {
	if cfg.Secret != "" {
		if len(cfg.Secret) < 32 {
			return errors.New("HAILURAH_SECRET: use at least 32 characters")
		}
		return nil
	}
	if !dev {
		return errors.New("HAILURAH_SECRET is required outside `hailurah dev` (at least 32 random characters, e.g. `openssl rand -hex 32`)")
	}
	s, err := readOrCreate(filepath.Join(cfg.DataDir, "secret"), func() string { return randomHex(32) })
	if err != nil {
		return err
	}
	cfg.Secret = s
	return nil
}

// readOrCreate returns the trimmed content of path, creating it with
// make() and mode 0600 when it does not exist.
func readOrCreate(path string, make func() string) (string, error) {
	b, err := os.ReadFile(path)
	if err == nil {
		if s := strings.TrimSpace(string(b)); s != "" {
			return s, nil
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		return "", err
	}
	s := make()
	if err := os.WriteFile(path, []byte(s+"\n"), 0o600); err != nil {
		return "", err
	}
	return s, nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// mapTiles checks HAILURAH_MAP_TILES: "off" (or "none", "0") turns the
// base map off, anything else must be an http(s) URL template with {z},
// {x} and {y}.
func mapTiles(v string) (string, error) {
	switch strings.ToLower(v) {
	case "off", "none", "0", "false":
		return "", nil
	}
	u, err := url.Parse(strings.NewReplacer("{z}", "0", "{x}", "0", "{y}", "0", "{s}", "a").Replace(v))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" ||
		!strings.Contains(v, "{z}") || !strings.Contains(v, "{x}") || !strings.Contains(v, "{y}") {
		return "", fmt.Errorf("HAILURAH_MAP_TILES: %q is not \"off\" nor an http(s) URL template with {z}, {x} and {y}", v)
	}
	return v, nil
}
