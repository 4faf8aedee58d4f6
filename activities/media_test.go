package activities_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/activities"
	"github.com/hailurah/hailurah/media"
	"github.com/hailurah/hailurah/store"
	"github.com/hailurah/hailurah/store/mediastore"
	"github.com/hailurah/hailurah/store/storetest"
)

const graphToken = "EAAG-test-token"

// fakeGraph speaks the Cloud API's media wire format: GET /v23.0/{id}
// answers {url, mime_type, sha256, file_size, id} with the bearer token;
// the URL serves the bytes with the same token. A URL is good for
// validFor downloads, then answers 404 as an expired lookaside URL does.
type fakeGraph struct {
	*httptest.Server
	mu       sync.Mutex
	files    map[string][]byte // media id → content
	validFor int               // downloads per issued URL; 0 means unlimited
	issued   map[string]int    // media id → URLs issued
	used     map[string]int    // url token → downloads
	declared map[string]int64  // media id → a file_size to claim instead
}

func newFakeGraph(t *testing.T) *fakeGraph {
	g := &fakeGraph{files: map[string][]byte{}, issued: map[string]int{}, used: map[string]int{}, declared: map[string]int64{}}
	g.Server = httptest.NewServer(http.HandlerFunc(g.serve))
	t.Cleanup(g.Close)
	return g
}

func (g *fakeGraph) serve(w http.ResponseWriter, r *http.Request) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if r.Header.Get("Authorization") != "Bearer "+graphToken {
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = io.WriteString(w, `{"error":{"message":"Invalid OAuth access token.","type":"OAuthException","code":190}}`)
		return
	}
	if id, ok := strings.CutPrefix(r.URL.Path, "/v23.0/"); ok {
		data, found := g.files[id]
		if !found {
			w.WriteHeader(http.StatusNotFound)
			_, _ = io.WriteString(w, `{"error":{"message":"Unsupported get request.","type":"GraphMethodException","code":100,"error_subcode":33}}`)
			return
		}
		g.issued[id]++
		size := int64(len(data))
		if d, ok := g.declared[id]; ok {
			size = d
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"url": g.URL + "/lookaside/" + id + "/" + strconv.Itoa(g.issued[id]),
			"mime_type": "image/jpeg", "sha256": "x", "file_size": size, "id": id, "messaging_product": "whatsapp"})
		return
	}
	if rest, ok := strings.CutPrefix(r.URL.Path, "/lookaside/"); ok {
		id, _, _ := strings.Cut(rest, "/")
		g.used[rest]++
		if g.validFor > 0 && g.used[rest] > g.validFor {
			w.WriteHeader(http.StatusNotFound)
			return
		}
		_, _ = w.Write(g.files[id])
		return
	}
	w.WriteHeader(http.StatusNotFound)
}

type mediaFixture struct {
	db    *store.DB
	graph *fakeGraph
	dir   media.Dir
	acts  *activities.MediaActivities
}

func newMediaFixture(t *testing.T) *mediaFixture {
	f := &mediaFixture{db: storetest.Open(t), graph: newFakeGraph(t), dir: media.Dir(t.TempDir())}
	f.acts = &activities.MediaActivities{Media: mediastore.New(f.db), Storage: f.dir,
		Fetcher: &media.Fetcher{GraphBaseURL: f.graph.URL + "/v23.0", Token: graphToken, AllowPrivate: true}}
	return f
}

// fetch runs the activity and returns the row it wrote.
func (f *mediaFixture) fetch(t *testing.T, source string) *hailurah.Media {
	t.Helper()
	ctx := context.Background()
	if err := f.acts.FetchMedia(ctx, activities.MediaInput{TicketID: "HL-2026-000123", Source: source}); err != nil {
		t.Fatalf("FetchMedia(%s): %v", source, err)
	}
	m, err := mediastore.New(f.db).FindMedia(ctx, hailurah.MediaID("HL-2026-000123", source))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func (f *mediaFixture) file(t *testing.T, key string) []byte {
	t.Helper()
	r, _, err := f.dir.Open(context.Background(), key)
	if err != nil {
		t.Fatalf("open %s: %v", key, err)
	}
	defer r.Close()
	b, _ := io.ReadAll(r)
	return b
}

func photo(w, h int) image.Image {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, color.RGBA{uint8(x), uint8(y), 128, 255})
		}
	}
	return img
}

func pngOf(t *testing.T, img image.Image) []byte {
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// jpegWithExif is a JPEG whose APP1 segment carries EXIF: an orientation
// tag and a GPS-like string that must not survive.
func jpegWithExif(t *testing.T, img image.Image, orientation uint16) []byte {
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, nil); err != nil {
		t.Fatal(err)
	}
	var tiff bytes.Buffer
	tiff.WriteString("MM\x00\x2a")
	_ = binary.Write(&tiff, binary.BigEndian, uint32(8))
	_ = binary.Write(&tiff, binary.BigEndian, uint16(1))                // one entry
	_ = binary.Write(&tiff, binary.BigEndian, []uint16{0x0112, 3})      // orientation, SHORT
	_ = binary.Write(&tiff, binary.BigEndian, uint32(1))                // count
	_ = binary.Write(&tiff, binary.BigEndian, []uint16{orientation, 0}) // value
	_ = binary.Write(&tiff, binary.BigEndian, uint32(0))                // no next IFD
	tiff.WriteString("GPS -7.6298,111.5239 Jl. Mawar RT03")             // what a phone leaves behind
	seg := append([]byte("Exif\x00\x00"), tiff.Bytes()...)
	out := []byte{0xFF, 0xD8, 0xFF, 0xE1}
	out = binary.BigEndian.AppendUint16(out, uint16(len(seg)+2))
	out = append(out, seg...)
	return append(out, buf.Bytes()[2:]...)
}

func TestFetchMediaFromTheCloudAPI(t *testing.T) {
	f := newMediaFixture(t)
	raw := jpegWithExif(t, photo(640, 480), 1)
	f.graph.files["1001"] = raw

	m := f.fetch(t, "whatsapp-media:1001")

	if m.Status != hailurah.MediaStored || m.Type != hailurah.MediaImage || m.MIME != "image/jpeg" {
		t.Fatalf("media = %+v", m)
	}
	stored := f.file(t, m.StorageKey)
	if bytes.Contains(stored, []byte("Exif")) || bytes.Contains(stored, []byte("GPS")) {
		t.Error("the stored photo still carries the EXIF segment")
	}
	if !bytes.Contains(raw, []byte("GPS")) {
		t.Fatal("the fixture lacks its EXIF")
	}
	if m.Size != int64(len(stored)) || len(m.SHA256) != 64 {
		t.Errorf("size %d sha256 %q for a %d-byte file", m.Size, m.SHA256, len(stored))
	}
	thumb, err := jpeg.Decode(bytes.NewReader(f.file(t, m.ThumbnailKey)))
	if err != nil {
		t.Fatalf("thumbnail: %v", err)
	}
	if b := thumb.Bounds(); b.Dx() != 320 || b.Dy() != 240 {
		t.Errorf("thumbnail %dx%d, want 320x240", b.Dx(), b.Dy())
	}
	// A retry of the same activity writes the same row and keys.
	again := f.fetch(t, "whatsapp-media:1001")
	if again.StorageKey != m.StorageKey || again.SHA256 != m.SHA256 {
		t.Errorf("a retry wrote %+v after %+v", again, m)
	}
}

func TestFetchMediaRefetchesAnExpiredURL(t *testing.T) {
	f := newMediaFixture(t)
	f.graph.files["1002"] = pngOf(t, photo(10, 10))
	// The first URL issued has expired by the time it is read.
	f.graph.used["1002/1"] = 1
	f.graph.validFor = 1

	m := f.fetch(t, "whatsapp-media:1002")

	if m.Status != hailurah.MediaStored || f.graph.issued["1002"] != 2 {
		t.Fatalf("media %+v after %d URLs, want stored after a second URL", m, f.graph.issued["1002"])
	}
}

func TestFetchMediaRecordsWhatItCannotKeep(t *testing.T) {
	f := newMediaFixture(t)
	f.graph.files["big"] = []byte("x")
	f.graph.declared["big"] = 20 << 20
	f.graph.files["exe"] = append([]byte("MZ\x90\x00"), make([]byte, 100)...)
	f.graph.files["streamed-big"] = append(pngOf(t, photo(4, 4)), make([]byte, media.MaxBytes)...)
	f.graph.declared["streamed-big"] = 1000 // Meta's size is not believed

	for _, tt := range []struct {
		source, status, note string
	}{
		{"whatsapp-media:gone", hailurah.MediaFailed, "tidak ada lagi"},
		{"whatsapp-media:big", hailurah.MediaRefused, "lebih besar dari 16 MB"},
		{"whatsapp-media:streamed-big", hailurah.MediaRefused, "lebih besar dari 16 MB"},
		{"whatsapp-media:exe", hailurah.MediaRefused, "tidak diterima"},
		{"file:///etc/passwd", hailurah.MediaRefused, "bukan URL http(s)"},
	} {
		m := f.fetch(t, tt.source)
		if m.Status != tt.status || !strings.Contains(m.Note, tt.note) || m.StorageKey != "" {
			t.Errorf("%s: %+v, want %s with a note containing %q", tt.source, m, tt.status, tt.note)
		}
	}
}

// A PNG a gateway named .jpg is a PNG: the type comes from the content.
func TestFetchMediaByContentNotName(t *testing.T) {
	f := newMediaFixture(t)
	f.graph.files["named"] = pngOf(t, photo(50, 20))
	gateway := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "image/jpeg")
		_, _ = w.Write(f.graph.files["named"])
	}))
	defer gateway.Close()

	m := f.fetch(t, gateway.URL+"/foto.jpg")

	if m.Status != hailurah.MediaStored || m.MIME != "image/png" || !strings.HasSuffix(m.StorageKey, ".png") {
		t.Fatalf("media = %+v, want a stored PNG", m)
	}
	if _, err := png.Decode(bytes.NewReader(f.file(t, m.StorageKey))); err != nil {
		t.Errorf("stored file: %v", err)
	}
}

// A portrait photo keeps its orientation when the EXIF that named it goes.
func TestFetchMediaTurnsAPhotoByItsOrientation(t *testing.T) {
	f := newMediaFixture(t)
	f.graph.files["portrait"] = jpegWithExif(t, photo(40, 20), 6) // rotate 90° clockwise to show

	m := f.fetch(t, "whatsapp-media:portrait")

	img, err := jpeg.Decode(bytes.NewReader(f.file(t, m.StorageKey)))
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() != 20 || b.Dy() != 40 {
		t.Errorf("stored %dx%d, want 20x40", b.Dx(), b.Dy())
	}
}

func TestFetchMediaRetriesWhenTheGraphAPIIsDown(t *testing.T) {
	f := newMediaFixture(t)
	down := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	defer down.Close()
	f.acts.Fetcher.GraphBaseURL = down.URL + "/v23.0"

	err := f.acts.FetchMedia(context.Background(), activities.MediaInput{TicketID: "HL-2026-000123", Source: "whatsapp-media:1"})

	if err == nil {
		t.Fatal("a 503 from the Graph API should be retried (an error), not recorded")
	}
	if _, err := mediastore.New(f.db).FindMedia(context.Background(), hailurah.MediaID("HL-2026-000123", "whatsapp-media:1")); hailurah.ErrorCode(err) != hailurah.ENOTFOUND {
		t.Errorf("a row was written for a download to retry: %v", err)
	}
}
