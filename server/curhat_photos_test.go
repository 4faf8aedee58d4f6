package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"github.com/hailurah/hailurah/store/mediastore"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/media"
	"github.com/hailurah/hailurah/server"
	"github.com/hailurah/hailurah/store"
	"github.com/hailurah/hailurah/store/storetest"
)

// photoFixture is the channels' fixture with media kept in a directory.
type photoFixture struct {
	*chanFixture
	files media.Dir
}

func newPhotoFixture(t *testing.T, db *store.DB) *photoFixture {
	files := media.Dir(t.TempDir())
	f := newChanFixture(t, db, chanOptions{cases: &recordingCases{}, media: &server.Media{Store: mediastore.New(db), Files: files}})
	f.tick = time.Minute // the per-IP intake limit refills between requests
	return &photoFixture{chanFixture: f, files: files}
}

type upload struct {
	name string
	data []byte
}

// curhatForm posts a multipart curhat with the photos.
func (f *photoFixture) curhatForm(text string, photos ...upload) (int, string) {
	f.t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	_ = w.WriteField("text", text)
	_ = w.WriteField("channel", "web")
	_ = w.WriteField("anonim", "true")
	for _, p := range photos {
		fw, err := w.CreateFormFile("photo", p.name)
		if err != nil {
			f.t.Fatal(err)
		}
		_, _ = fw.Write(p.data)
	}
	_ = w.Close()
	return f.request("POST", "/api/v1/curhat", w.FormDataContentType(), buf.String(), nil)
}

// jpegWithEXIF is a camera-like JPEG: an APP1 Exif segment naming a GPS
// position right after the start of the image.
func jpegWithEXIF(t *testing.T) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, colored(640, 480, color.RGBA{200, 60, 40, 255}), nil); err != nil {
		t.Fatal(err)
	}
	payload := append([]byte("Exif\x00\x00"), []byte("MM\x00\x2a\x00\x00\x00\x08GPS-7.6298,111.5239")...)
	seg := []byte{0xFF, 0xE1, byte((len(payload) + 2) >> 8), byte(len(payload) + 2)}
	b := buf.Bytes()
	out := append([]byte{}, b[:2]...)
	out = append(out, seg...)
	out = append(out, payload...)
	return append(out, b[2:]...)
}

func pngImage(t *testing.T) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, colored(300, 200, color.RGBA{30, 90, 200, 255})); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func colored(w, h int, c color.RGBA) image.Image {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.Set(x, y, c)
		}
	}
	return img
}

type trackedJSON struct {
	TicketID string `json:"ticket_id"`
	Media    []struct {
		From         string `json:"from"`
		Type         string `json:"type"`
		URL          string `json:"url"`
		ThumbnailURL string `json:"thumbnail_url"`
	} `json:"media"`
}

func (f *photoFixture) track(code string) trackedJSON {
	f.t.Helper()
	st, raw := f.request("GET", "/api/v1/track/"+code, "", "", nil)
	if st != http.StatusOK {
		f.t.Fatalf("track: %d %s", st, raw)
	}
	var tr trackedJSON
	if err := json.Unmarshal([]byte(raw), &tr); err != nil {
		f.t.Fatal(err)
	}
	return tr
}

func accepted(t *testing.T, st int, raw string) (ticketID, code string) {
	t.Helper()
	var a struct {
		TicketID     string `json:"ticket_id"`
		TrackingCode string `json:"tracking_code"`
	}
	if st != http.StatusAccepted || json.Unmarshal([]byte(raw), &a) != nil || a.TrackingCode == "" {
		t.Fatalf("curhat: %d %s", st, raw)
	}
	return a.TicketID, a.TrackingCode
}

// TestCurhatWithPhotos: the web chat's photos go through the same checks
// as WhatsApp media — kept by their content, not their name, stripped of
// EXIF, with a thumbnail — and the tracking page serves them only under
// the ticket's own code.
func TestCurhatWithPhotos(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newPhotoFixture(t, db)
		ctx := context.Background()
		camera := jpegWithEXIF(t)
		if !bytes.Contains(camera, []byte("Exif")) {
			t.Fatal("the fixture photo has no EXIF")
		}
		st, raw := f.curhatForm("HAI LURAH Taman\nRT 3 RW 2, got tersumbat.",
			upload{"IMG_0001.jpg", camera}, upload{"layar.jpg", pngImage(t)})
		id, code := accepted(t, st, raw)
		ms, err := mediastore.New(db).ListTicketMedia(ctx, id)
		if err != nil || len(ms) != 2 {
			t.Fatalf("media of %s: %v %v", id, ms, err)
		}
		mimes := map[string]*hailurah.Media{}
		for _, m := range ms {
			if m.Status != hailurah.MediaStored || m.Type != hailurah.MediaImage || m.ThumbnailKey == "" {
				t.Errorf("media row: %+v", m)
			}
			mimes[m.MIME] = m
		}
		jpg, pngRow := mimes["image/jpeg"], mimes["image/png"]
		if jpg == nil || pngRow == nil {
			t.Fatalf("types by content: %v", mimes)
		}
		if !strings.HasSuffix(pngRow.StorageKey, ".png") {
			t.Errorf("a PNG named .jpg kept as %s", pngRow.StorageKey)
		}
		stored := f.open(jpg.StorageKey)
		if bytes.Contains(stored, []byte("Exif")) || bytes.Contains(stored, []byte("GPS-7.6298")) {
			t.Error("the stored photo still has its EXIF")
		}
		if thumb := f.open(jpg.ThumbnailKey); len(thumb) == 0 {
			t.Error("no thumbnail")
		}

		tr := f.track(code)
		if len(tr.Media) != 2 {
			t.Fatalf("tracked media: %+v", tr.Media)
		}
		for _, m := range tr.Media {
			if m.From != "warga" || !strings.HasPrefix(m.URL, "/api/v1/track/"+code+"/media/") || m.ThumbnailURL != m.URL+"/thumbnail" {
				t.Errorf("tracked media: %+v", m)
			}
			for _, u := range []string{m.URL, m.ThumbnailURL} {
				if st, raw := f.request("GET", u, "", "", nil); st != http.StatusOK || len(raw) == 0 {
					t.Errorf("GET %s: %d", u, st)
				}
			}
		}

		// A photo the unit sent with its "done" is kept among the ticket's
		// media too, and the citizen sees it as the unit's.
		if err := db.AddTicketEvent(ctx, &hailurah.TicketEvent{Key: id + "/test/done", TicketID: id, Type: hailurah.ActionDone,
			Actor: "dinas-pupr", Role: hailurah.RoleDinas, From: hailurah.StatusInProgress, To: hailurah.StatusAwaitingConfirmation,
			Note: "Got sudah dikeruk.", Attachments: []string{pngRow.Source}}); err != nil {
			t.Fatal(err)
		}
		from := map[string]string{}
		for _, m := range f.track(code).Media {
			from[m.URL] = m.From
		}
		if from["/api/v1/track/"+code+"/media/"+pngRow.ID] != "dinas" || from["/api/v1/track/"+code+"/media/"+jpg.ID] != "warga" {
			t.Errorf("whose photos: %v", from)
		}

		// Another curhat, as JSON exactly as before: no photos.
		st, raw = f.request("POST", "/api/v1/curhat", "application/json", `{"text":"Lampu jalan mati di RT 5.","channel":"kiosk"}`, nil)
		_, other := accepted(t, st, raw)
		if tr := f.track(other); len(tr.Media) != 0 {
			t.Errorf("a curhat without photos lists %+v", tr.Media)
		}
		mediaPath := strings.TrimPrefix(tr.Media[0].URL, "/api/v1/track/"+code)
		for _, u := range []string{
			"/api/v1/track/" + other + mediaPath,                          // another ticket's code
			"/api/v1/track/HL-NOPE-0000" + mediaPath,                      // a code that does not exist
			"/api/v1/track/" + code + "/media/" + strings.Repeat("0", 24), // an id that does not exist
			"/api/v1/track/" + code + "/bukti/" + strings.Repeat("a", 32) + ".jpg",
		} {
			if st, _ := f.request("GET", u, "", "", nil); st != http.StatusNotFound {
				t.Errorf("GET %s: %d, want 404", u, st)
			}
		}
	})
}

func (f *photoFixture) open(key string) []byte {
	f.t.Helper()
	r, _, err := f.files.Open(context.Background(), key)
	if err != nil {
		f.t.Fatal(err)
	}
	defer r.Close()
	b, _ := io.ReadAll(r)
	return b
}

// TestCurhatPhotoRefused: what is not a photo, or too large, refuses the
// curhat with a message next to the photo field, and no ticket starts.
func TestCurhatPhotoRefused(t *testing.T) {
	f := newPhotoFixture(t, storetest.Open(t))
	big := append(jpegWithEXIF(t), make([]byte, media.MaxBytes)...)
	for _, tc := range []struct {
		name   string
		photo  upload
		status int
		says   string
	}{
		{"text named .jpg", upload{"foto.jpg", []byte("bukan foto, hanya teks biasa\n")}, http.StatusUnprocessableEntity, "foto.jpg"},
		{"a PDF", upload{"surat.jpg", []byte("%PDF-1.7\n1 0 obj\n")}, http.StatusUnprocessableEntity, "bukan foto"},
		{"over 16 MB", upload{"besar.jpg", big}, http.StatusRequestEntityTooLarge, "16 MB"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st, raw := f.curhatForm("Jalan berlubang di RT 2.", tc.photo)
			var e struct {
				Error struct {
					Field   string `json:"field"`
					Message string `json:"message"`
				} `json:"error"`
			}
			_ = json.Unmarshal([]byte(raw), &e)
			if st != tc.status || e.Error.Field != "photo" || !strings.Contains(e.Error.Message, tc.says) {
				t.Errorf("%d %s, want %d naming the photo field and %q", st, raw, tc.status, tc.says)
			}
		})
	}
	page, err := f.db.ListTickets(context.Background(), hailurah.TicketFilter{})
	if err != nil || len(page.Items) != 0 {
		t.Errorf("a refused photo started tickets: %+v %v", page, err)
	}
}
