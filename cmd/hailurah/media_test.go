package main

import (
	"bytes"
	"context"
	"encoding/json"
	"image"
	"image/color"
	"image/jpeg"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/store/mediastore"
)

// TestPhotoReachesTheTicket: a citizen's photo sent on WhatsApp is
// downloaded through a fake Graph API speaking the Cloud API's media wire
// format, kept without its EXIF, listed on the ticket and served to the
// moderator, and to nobody outside the ticket's kelurahan.
func TestPhotoReachesTheTicket(t *testing.T) {
	img := image.NewRGBA(image.Rect(0, 0, 640, 480))
	for i := range img.Pix {
		img.Pix[i] = uint8(i)
	}
	img.Set(0, 0, color.White)
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, nil); err != nil {
		t.Fatal(err)
	}
	exif := append([]byte("Exif\x00\x00MM\x00\x2a\x00\x00\x00\x08\x00\x00"), "GPS -7.6298,111.5239"...)
	photo := append([]byte{0xFF, 0xD8, 0xFF, 0xE1, 0, byte(len(exif) + 2)}, exif...)
	photo = append(photo, buf.Bytes()[2:]...)

	graph := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer "+e2eToken {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		switch {
		case strings.HasSuffix(r.URL.Path, "/messages"):
			_, _ = io.WriteString(w, `{"messaging_product":"whatsapp","messages":[{"id":"wamid.OUT"}]}`)
		case r.URL.Path == "/918273645546372":
			_ = json.NewEncoder(w).Encode(map[string]any{"messaging_product": "whatsapp", "id": "918273645546372",
				"url": "http://" + r.Host + "/lookaside/918273645546372", "mime_type": "image/jpeg",
				"sha256": "aGFpIGx1cmFo", "file_size": len(photo)})
		case r.URL.Path == "/lookaside/918273645546372":
			_, _ = w.Write(photo)
		default:
			w.WriteHeader(http.StatusNotFound)
		}
	}))
	defer graph.Close()
	m := startMain(t, t.TempDir(), "WHATSAPP_APP_SECRET="+e2eAppSecret, "WHATSAPP_VERIFY_TOKEN="+e2eVerify,
		"WHATSAPP_TOKEN="+e2eToken, "WHATSAPP_PHONE_NUMBER_ID="+e2eCityNumber, "WHATSAPP_API_BASE="+graph.URL)
	e := &e2e{t: t, m: m, base: m.HTTP.URL()}
	const phone = "6281234567890"
	e.deliver(waDelivery(waEntry(e2eCityNumber, waText("wamid.CURHAT", phone,
		"HAI LURAH Taman Irfa Darojat\nSaya warga RT03/RW02, Jalan Mawar. Got tersumbat sampah, rumah banjir tiap hujan."))))
	ids := e.tickets(phone)
	if len(ids) != 1 {
		t.Fatalf("tickets %v", ids)
	}
	id := ids[0]
	e.deliver(waDelivery(waEntry(e2eCityNumber, waImage("wamid.PHOTO", phone, ""))))
	var kept *hailurah.Media
	eventually(t, "the photo downloaded", func() bool {
		list, err := mediastore.New(m.DB).ListTicketMedia(context.Background(), id)
		if err != nil || len(list) != 1 {
			return false
		}
		kept = list[0]
		return kept.Status != ""
	})
	if kept.Status != hailurah.MediaStored || kept.Type != hailurah.MediaImage || kept.Source != "whatsapp-media:918273645546372" {
		t.Fatalf("kept %+v", kept)
	}

	mod := staffClient(t, e.base, "moderator")
	var tk struct {
		Media []struct {
			Type         string `json:"type"`
			URL          string `json:"url"`
			ThumbnailURL string `json:"thumbnail_url"`
		} `json:"media"`
	}
	if st := mod.call("GET", "/api/v1/tickets/"+id, nil, &tk); st != http.StatusOK {
		t.Fatalf("ticket: %d", st)
	}
	if len(tk.Media) != 1 || tk.Media[0].Type != "image" || tk.Media[0].URL == "" || tk.Media[0].ThumbnailURL != tk.Media[0].URL+"/thumbnail" {
		t.Fatalf("media on the ticket: %+v", tk.Media)
	}
	status, page := mod.page("/tiket/" + id)
	if status != http.StatusOK || !strings.Contains(page, `src="`+tk.Media[0].ThumbnailURL+`"`) {
		t.Fatalf("ticket page %d lacks the thumbnail", status)
	}
	resp, err := mod.http.Get(e.base + tk.Media[0].URL)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "image/jpeg" {
		t.Fatalf("photo: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if bytes.Contains(got, []byte("GPS")) || bytes.Contains(got, []byte("Exif")) {
		t.Error("the served photo carries the EXIF it came with")
	}
	if _, err := jpeg.Decode(bytes.NewReader(got)); err != nil {
		t.Errorf("served photo: %v", err)
	}
	other := staffClient(t, e.base, "moderator-demangan")
	resp, err = other.http.Get(e.base + tk.Media[0].URL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("another kelurahan's moderator: %d, want 404", resp.StatusCode)
	}
}
