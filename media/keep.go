package media

import (
	"context"
	"crypto/sha256"
	"encoding/hex"

	"github.com/hailurah/hailurah"
)

// Keep stores a checked attachment and its thumbnail under m's ticket and
// id, and fills m's row as stored. Whatever channel brought the file — a
// download by reference or a photo uploaded from the web chat — it is kept
// the same way. Idempotent: the keys follow from m's ticket and id.
func Keep(ctx context.Context, s Storage, m *hailurah.Media, c *Checked) error {
	sum := sha256.Sum256(c.Data)
	m.Type, m.MIME, m.Size, m.SHA256, m.Note = c.Type, c.MIME, int64(len(c.Data)), hex.EncodeToString(sum[:]), c.Note
	m.StorageKey = Key(m.TicketID, m.ID, c.Ext)
	if err := s.Put(ctx, m.StorageKey, c.MIME, c.Data); err != nil {
		return err
	}
	m.ThumbnailKey = ""
	if c.Thumb != nil {
		m.ThumbnailKey = ThumbKey(m.TicketID, m.ID)
		if err := s.Put(ctx, m.ThumbnailKey, "image/jpeg", c.Thumb); err != nil {
			return err
		}
	}
	m.Status = hailurah.MediaStored
	return nil
}
