package mediastore_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/store"
	"github.com/hailurah/hailurah/store/mediastore"
	"github.com/hailurah/hailurah/store/storetest"
)

func wantCode(t *testing.T, err error, code, field string) {
	t.Helper()
	if hailurah.ErrorCode(err) != code {
		t.Fatalf("error %v, want %s", err, code)
	}
	var e *hailurah.Error
	if field != "" && (!errors.As(err, &e) || e.Field != field) {
		t.Fatalf("error %v, want it about %s", err, field)
	}
}

func TestMediaSaveReplaceFindList(t *testing.T) {
	storetest.Each(t, func(t *testing.T, sdb *store.DB) {
		ctx := context.Background()
		at := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
		sdb.SetNow(func() time.Time { return at })
		db := mediastore.New(sdb)
		first := &hailurah.Media{ID: hailurah.MediaID("T1", "whatsapp-media:1"), TicketID: "T1",
			Source: "whatsapp-media:1", Status: hailurah.MediaFailed, Note: "Server WhatsApp tidak menjawab."}
		if err := db.SaveMedia(ctx, first); err != nil {
			t.Fatal(err)
		}
		at = at.Add(time.Minute)
		second := &hailurah.Media{ID: hailurah.MediaID("T1", "https://gw.example/2.jpg"), TicketID: "T1",
			Source: "https://gw.example/2.jpg", Type: hailurah.MediaImage, MIME: "image/png", Size: 10,
			SHA256: "ab", StorageKey: "T1/x.png", ThumbnailKey: "T1/x.thumb.jpg", Status: hailurah.MediaStored}
		if err := db.SaveMedia(ctx, second); err != nil {
			t.Fatal(err)
		}
		// A retried download replaces the row and keeps its place.
		at = at.Add(time.Minute)
		retried := *first
		retried.CreatedAt = time.Time{}
		retried.Type, retried.MIME, retried.Status, retried.Note, retried.StorageKey = hailurah.MediaAudio, "audio/ogg", hailurah.MediaStored, "", "T1/y.ogg"
		if err := db.SaveMedia(ctx, &retried); err != nil {
			t.Fatal(err)
		}
		got, err := db.FindMedia(ctx, first.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != hailurah.MediaStored || got.Type != hailurah.MediaAudio || got.StorageKey != "T1/y.ogg" || got.Note != "" {
			t.Errorf("after the retry: %+v", got)
		}
		list, err := db.ListTicketMedia(ctx, "T1")
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 2 || list[0].ID != first.ID || list[1].ID != second.ID {
			t.Fatalf("ListTicketMedia = %+v, want the first then the second", list)
		}
		if list[1].MIME != "image/png" || list[1].ThumbnailKey != "T1/x.thumb.jpg" || list[1].Size != 10 {
			t.Errorf("second = %+v", list[1])
		}
		if other, _ := db.ListTicketMedia(ctx, "T2"); len(other) != 0 {
			t.Errorf("another ticket lists %d media", len(other))
		}
		_, err = db.FindMedia(ctx, "nope")
		wantCode(t, err, hailurah.ENOTFOUND, "")
		err = db.SaveMedia(ctx, &hailurah.Media{ID: "x", TicketID: "T1", Source: "s", Status: "lost"})
		wantCode(t, err, hailurah.EINVALID, "status")
		err = db.SaveMedia(ctx, &hailurah.Media{ID: "x", TicketID: "T1", Source: "s", Type: "sticker", Status: hailurah.MediaStored})
		wantCode(t, err, hailurah.EINVALID, "type")
	})
}
