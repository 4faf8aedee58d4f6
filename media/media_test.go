package media_test

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/media"
)

// A URL reference may not make the server fetch from its own network.
func TestFetchRefusesPrivateAddresses(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Error("the internal server was reached")
	}))
	defer srv.Close()
	var f media.Fetcher
	for _, src := range []string{srv.URL + "/foto.jpg", "http://169.254.169.254/latest/meta-data/", "http://[::1]:1/x", "http://10.0.0.1/x"} {
		_, err := f.Fetch(context.Background(), src)
		fail, ok := media.AsFailure(err)
		if !ok || fail.Status != hailurah.MediaRefused || !strings.Contains(fail.Note, "jaringan internal") {
			t.Errorf("Fetch(%s) = %v, want refused as internal", src, err)
		}
	}
}

func TestSniff(t *testing.T) {
	for _, tt := range []struct {
		data []byte
		want string
	}{
		{[]byte("OggS\x00\x02" + strings.Repeat("\x00", 22) + "OpusHead"), "audio/ogg"},
		{[]byte("#!AMR\n\x3c"), "audio/amr"},
		{[]byte("\x00\x00\x00\x20ftypM4A \x00\x00\x00\x00M4A mp42isom"), "audio/mp4"},
		{[]byte("\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom"), "video/mp4"},
		{[]byte("ID3\x04\x00"), "audio/mpeg"},
		{[]byte{0xFF, 0xFB, 0x90, 0x64}, "audio/mpeg"},
		{[]byte("%PDF-1.7\n"), "application/pdf"},
	} {
		if got := media.Sniff(tt.data); got != tt.want {
			t.Errorf("Sniff(%q) = %s, want %s", tt.data, got, tt.want)
		}
	}
	if _, err := media.Check([]byte("PK\x03\x04 a docx")); err == nil {
		t.Error("a zip was accepted")
	}
}

func TestDirKeepsOnlyItsKeys(t *testing.T) {
	d := media.Dir(t.TempDir())
	ctx := context.Background()
	key := media.Key("HL-2026-000123", hailurah.MediaID("HL-2026-000123", "x"), ".ogg")
	if err := d.Put(ctx, key, "audio/ogg", []byte("OggS")); err != nil {
		t.Fatal(err)
	}
	r, n, err := d.Open(ctx, key)
	if err != nil || n != 4 {
		t.Fatalf("Open = %d, %v", n, err)
	}
	_ = r.Close()
	for _, bad := range []string{"../secret", "HL-1/../../etc/passwd", "HL-1/abc.jpg"} {
		if err := d.Put(ctx, bad, "", nil); hailurah.ErrorCode(err) != hailurah.EINVALID {
			t.Errorf("Put(%q) = %v", bad, err)
		}
		if _, _, err := d.Open(ctx, bad); hailurah.ErrorCode(err) != hailurah.ENOTFOUND {
			t.Errorf("Open(%q) = %v", bad, err)
		}
	}
}

// fakeS3 speaks enough of the S3 wire format for PUT and GET object:
// path-style URLs, aws-chunked bodies (minio-go streams its signature over
// plain http), and NoSuchKey as XML.
type fakeS3 struct {
	mu      sync.Mutex
	objects map[string][]byte
	types   map[string]string
}

func (s *fakeS3) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !strings.HasPrefix(r.Header.Get("Authorization"), "AWS4-HMAC-SHA256 Credential=minio-key/") {
		w.WriteHeader(http.StatusForbidden)
		return
	}
	switch r.Method {
	case http.MethodPut:
		body, _ := io.ReadAll(r.Body)
		if strings.HasPrefix(r.Header.Get("X-Amz-Content-Sha256"), "STREAMING-") {
			body = unchunk(body)
		}
		s.objects[r.URL.Path], s.types[r.URL.Path] = body, r.Header.Get("Content-Type")
		w.Header().Set("ETag", `"etag"`)
	case http.MethodGet, http.MethodHead:
		b, ok := s.objects[r.URL.Path]
		if !ok {
			w.Header().Set("Content-Type", "application/xml")
			w.WriteHeader(http.StatusNotFound)
			if r.Method == http.MethodGet {
				_, _ = io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message></Error>`)
			}
			return
		}
		w.Header().Set("Content-Type", s.types[r.URL.Path])
		w.Header().Set("Content-Length", strconv.Itoa(len(b)))
		w.Header().Set("ETag", `"etag"`)
		w.Header().Set("Last-Modified", "Mon, 07 Dec 2026 10:00:00 GMT")
		if r.Method == http.MethodGet {
			_, _ = w.Write(b)
		}
	default:
		w.WriteHeader(http.StatusMethodNotAllowed)
	}
}

// unchunk decodes "size;chunk-signature=…\r\ndata\r\n" chunks up to the
// empty one.
func unchunk(b []byte) []byte {
	var out []byte
	rd := bufio.NewReader(bytes.NewReader(b))
	for {
		line, err := rd.ReadString('\n')
		if err != nil {
			return out
		}
		size, _, _ := strings.Cut(strings.TrimSpace(line), ";")
		n, err := strconv.ParseInt(size, 16, 64)
		if err != nil || n == 0 {
			return out
		}
		chunk := make([]byte, n)
		if _, err := io.ReadFull(rd, chunk); err != nil {
			return out
		}
		out = append(out, chunk...)
		_, _ = rd.ReadString('\n')
	}
}

func TestS3PutAndOpen(t *testing.T) {
	fake := &fakeS3{objects: map[string][]byte{}, types: map[string]string{}}
	srv := httptest.NewServer(fake)
	defer srv.Close()
	env := map[string]string{"HAILURAH_S3_ENDPOINT": srv.URL, "AWS_ACCESS_KEY_ID": "minio-key", "AWS_SECRET_ACCESS_KEY": "minio-secret"}
	st, err := media.OpenStorage("s3://hailurah-media/prod/", t.TempDir(), func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	key := media.ThumbKey("HL-2026-000123", hailurah.MediaID("HL-2026-000123", "x"))
	data := bytes.Repeat([]byte("thumb"), 1000)
	if err := st.Put(ctx, key, "image/jpeg", data); err != nil {
		t.Fatal(err)
	}
	path := "/hailurah-media/prod/" + key
	if !bytes.Equal(fake.objects[path], data) || fake.types[path] != "image/jpeg" {
		t.Fatalf("bucket holds %v (%d bytes, %q) at %s", keys(fake.objects), len(fake.objects[path]), fake.types[path], path)
	}
	r, n, err := st.Open(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(r)
	_ = r.Close()
	if n != int64(len(data)) || !bytes.Equal(got, data) {
		t.Errorf("Open read %d bytes (size %d), want %d", len(got), n, len(data))
	}
	missing := media.Key("HL-2026-000123", hailurah.MediaID("HL-2026-000123", "y"), ".jpg")
	if _, _, err := st.Open(ctx, missing); hailurah.ErrorCode(err) != hailurah.ENOTFOUND {
		t.Errorf("Open of a missing key = %v, want ENOTFOUND", err)
	}
}

func keys(m map[string][]byte) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func TestOpenStorage(t *testing.T) {
	none := func(string) string { return "" }
	if st, err := media.OpenStorage("", "/data", none); err != nil || st != media.Dir("/data/media") {
		t.Errorf("default = %v, %v", st, err)
	}
	for _, bad := range []string{"s3://", "gs://bucket", "s3://bucket"} {
		if _, err := media.OpenStorage(bad, "/data", none); err == nil {
			t.Errorf("OpenStorage(%q) without keys or with a bad URL succeeded", bad)
		}
	}
}
