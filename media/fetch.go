// Package media downloads a citizen's attachments by their reference,
// checks them by content, strips what could identify the sender from
// images, makes thumbnails and keeps the files in a Storage: a directory
// under the data dir or an S3-compatible bucket.
package media

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"syscall"
	"time"

	"github.com/hailurah/hailurah"
)

// MaxBytes is the largest attachment kept: WhatsApp's own limit for
// audio, video and images is 16 MB.
const MaxBytes = 16 << 20

// DefaultGraphBaseURL is the Graph API root when Fetcher.GraphBaseURL is
// empty; it names the API version, as whatsapp.DefaultBaseURL does.
const DefaultGraphBaseURL = "https://graph.facebook.com/v23.0"

// Failure is a download that will not succeed by retrying: the media are
// refused (too large, a type not accepted, an address not allowed) or gone.
// Other errors are worth another try.
type Failure struct {
	Status string // hailurah.MediaRefused or hailurah.MediaFailed
	Note   string // for staff, in Bahasa Indonesia
}

func (e *Failure) Error() string { return e.Status + ": " + e.Note }

func refused(format string, args ...any) error {
	return &Failure{Status: hailurah.MediaRefused, Note: fmt.Sprintf(format, args...)}
}

func failed(format string, args ...any) error {
	return &Failure{Status: hailurah.MediaFailed, Note: fmt.Sprintf(format, args...)}
}

// AsFailure returns the Failure in err's chain, if any.
func AsFailure(err error) (*Failure, bool) {
	var f *Failure
	ok := errors.As(err, &f)
	return f, ok
}

func tooLarge() error {
	return refused("Berkas lebih besar dari %d MB; tidak disimpan.", MaxBytes>>20)
}

// Fetcher downloads attachments by reference. The zero value fetches URL
// references from public addresses; Cloud API media need Token.
type Fetcher struct {
	GraphBaseURL string // DefaultGraphBaseURL when ""; tests point it at a fake
	Token        string // the Cloud API's bearer token (WHATSAPP_TOKEN)
	// AllowPrivate lets URL references reach loopback and private
	// networks. Only tests set it: a gateway's URL is the citizen's to
	// choose, and must not make the server fetch from inside its network.
	AllowPrivate bool
	// HTTP fetches from the Graph API and the URLs it gives; a client
	// with a one-minute timeout when nil.
	HTTP *http.Client
}

var (
	mediaIDPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,128}$`)
	graphClient    = &http.Client{Timeout: time.Minute}
	errPrivate     = errors.New("address not allowed")
)

// Fetch downloads the attachment a reference names, at most MaxBytes of
// it. Returns a *Failure when retrying cannot help.
func (f *Fetcher) Fetch(ctx context.Context, source string) ([]byte, error) {
	if id, ok := strings.CutPrefix(source, hailurah.MediaSourcePrefix); ok {
		return f.whatsapp(ctx, id)
	}
	return f.url(ctx, source)
}

// graphMedia is the Cloud API's answer to GET /{media-id}.
type graphMedia struct {
	URL      string `json:"url"`
	MIMEType string `json:"mime_type"`
	SHA256   string `json:"sha256"`
	FileSize int64  `json:"file_size"`
	ID       string `json:"id"`
}

// whatsapp follows the Cloud API's two steps: the media id gives a URL
// valid for a few minutes, which is fetched with the same token. A URL
// that expired before it was read is asked for again, once.
func (f *Fetcher) whatsapp(ctx context.Context, id string) ([]byte, error) {
	if !mediaIDPattern.MatchString(id) {
		return nil, refused("Id media WhatsApp tidak valid.")
	}
	if f.Token == "" {
		return nil, failed("WHATSAPP_TOKEN belum diatur; media WhatsApp tidak dapat diunduh.")
	}
	base := strings.TrimRight(f.GraphBaseURL, "/")
	if base == "" {
		base = DefaultGraphBaseURL
	}
	for range 2 {
		var meta graphMedia
		if err := f.graphJSON(ctx, base+"/"+url.PathEscape(id), &meta); err != nil {
			return nil, err
		}
		if meta.FileSize > MaxBytes {
			return nil, tooLarge()
		}
		if meta.URL == "" {
			return nil, fmt.Errorf("media %s: the Graph API gave no url", id)
		}
		data, status, err := f.get(ctx, f.client(), meta.URL, f.Token)
		switch {
		case status == http.StatusUnauthorized || status == http.StatusForbidden || status == http.StatusNotFound:
			continue // the URL expired: ask for a fresh one
		case err != nil:
			return nil, err
		case status != http.StatusOK:
			return nil, failed("URL media WhatsApp menjawab HTTP %d.", status)
		}
		return data, nil
	}
	return nil, fmt.Errorf("media %s: the url expired twice", id)
}

func (f *Fetcher) client() *http.Client {
	if f.HTTP != nil {
		return f.HTTP
	}
	return graphClient
}

func (f *Fetcher) graphJSON(ctx context.Context, u string, out any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+f.Token)
	resp, err := f.client().Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	switch {
	case resp.StatusCode == http.StatusNotFound || resp.StatusCode == http.StatusBadRequest:
		// Meta deletes media 30 days after upload; a wrong id is as gone.
		return failed("Media WhatsApp tidak ada lagi di server Meta (HTTP %d).", resp.StatusCode)
	case resp.StatusCode != http.StatusOK:
		return fmt.Errorf("graph api: HTTP %d", resp.StatusCode)
	}
	if err := json.Unmarshal(body, out); err != nil {
		return fmt.Errorf("graph api: %w", err)
	}
	return nil
}

// url fetches a gateway's or an Open311 client's URL: http(s) only, from
// a public address only (checked at every connection, so a redirect or a
// name resolving inside the network is refused as well).
func (f *Fetcher) url(ctx context.Context, source string) ([]byte, error) {
	u, err := url.Parse(source)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, refused("Alamat media bukan URL http(s).")
	}
	client := publicClient
	if f.AllowPrivate {
		client = f.client()
	}
	data, status, err := f.get(ctx, client, source, "")
	switch {
	case errors.Is(err, errPrivate):
		return nil, refused("Alamat media menunjuk ke jaringan internal; tidak diunduh.")
	case err != nil:
		return nil, err
	case status != http.StatusOK:
		return nil, failed("Alamat media menjawab HTTP %d.", status)
	}
	return data, nil
}

// get reads u's body, at most MaxBytes. It returns the status of a
// non-200 answer with a nil error for 4xx (the caller decides) and an
// error for 5xx and 429, which are worth retrying.
func (f *Fetcher) get(ctx context.Context, client *http.Client, u, token string) ([]byte, int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, 0, refused("Alamat media tidak valid.")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 500 || resp.StatusCode == http.StatusTooManyRequests {
		return nil, resp.StatusCode, fmt.Errorf("media download: HTTP %d", resp.StatusCode)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, resp.StatusCode, nil
	}
	if resp.ContentLength > MaxBytes {
		return nil, resp.StatusCode, tooLarge()
	}
	// One byte more than allowed tells a too-large file without reading
	// the rest of it.
	data, err := io.ReadAll(io.LimitReader(resp.Body, MaxBytes+1))
	if err != nil {
		return nil, resp.StatusCode, err
	}
	if len(data) > MaxBytes {
		return nil, resp.StatusCode, tooLarge()
	}
	return data, resp.StatusCode, nil
}

// publicClient reaches public addresses only; its dialer checks the
// address it actually connects to, after DNS and after every redirect.
var publicClient = &http.Client{
	Timeout: time.Minute,
	Transport: &http.Transport{
		DialContext: (&net.Dialer{
			Timeout: 10 * time.Second,
			Control: func(_, address string, _ syscall.RawConn) error {
				host, _, err := net.SplitHostPort(address)
				if err != nil {
					return err
				}
				if ip := net.ParseIP(host); ip == nil || !publicIP(ip) {
					return errPrivate
				}
				return nil
			},
		}).DialContext,
		TLSHandshakeTimeout:   10 * time.Second,
		ResponseHeaderTimeout: 30 * time.Second,
		MaxIdleConns:          4,
		IdleConnTimeout:       30 * time.Second,
	},
}

func publicIP(ip net.IP) bool {
	return !(ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() ||
		ip.IsUnspecified() || ip.IsMulticast() || ip.IsInterfaceLocalMulticast() ||
		// Carrier-grade NAT, 100.64.0.0/10, is as internal as 10/8.
		(ip.To4() != nil && ip.To4()[0] == 100 && ip.To4()[1]&0xC0 == 64))
}
