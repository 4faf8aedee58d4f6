package media

import (
	"bytes"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"net/http"
	"strings"

	"golang.org/x/image/draw"
	"golang.org/x/image/webp"

	"github.com/hailurah/hailurah"
)

// ThumbnailSize bounds a thumbnail's longer side, in pixels.
const ThumbnailSize = 320

// maxPixels bounds the images decoded: a small PNG can claim a huge
// canvas, and decoding it would take the worker's memory.
const maxPixels = 50_000_000

// kind is what an accepted content type is kept as.
type kind struct {
	typ, ext string
}

// accepted are the types kept, by their content. A citizen's phone sends
// photos, voice notes, videos and PDFs; anything else is refused.
var accepted = map[string]kind{
	"image/jpeg":      {hailurah.MediaImage, ".jpg"},
	"image/png":       {hailurah.MediaImage, ".png"},
	"image/gif":       {hailurah.MediaImage, ".gif"},
	"image/webp":      {hailurah.MediaImage, ".webp"},
	"application/pdf": {hailurah.MediaDocument, ".pdf"},
	"audio/ogg":       {hailurah.MediaAudio, ".ogg"},
	"audio/mpeg":      {hailurah.MediaAudio, ".mp3"},
	"audio/mp4":       {hailurah.MediaAudio, ".m4a"},
	"audio/amr":       {hailurah.MediaAudio, ".amr"},
	"video/mp4":       {hailurah.MediaVideo, ".mp4"},
}

// Checked is an accepted attachment as it is kept.
type Checked struct {
	Type string // a hailurah.Media* type
	MIME string
	Ext  string // ".jpg", ".ogg"…
	// Data is the file to keep: an image re-encoded without its metadata
	// (EXIF, XMP, comments: a photo's location can identify an anonymous
	// citizen), anything else as received.
	Data  []byte
	Thumb []byte // a JPEG of at most ThumbnailSize px; nil but for images
	Note  string // what staff should know, e.g. a WebP kept as a file
}

// Check recognises data by its content (never by a name or the type a
// sender declared), refuses what is not accepted, strips images of their
// metadata and makes their thumbnail. Returns a *Failure for refused data.
func Check(data []byte) (*Checked, error) {
	if len(data) > MaxBytes {
		return nil, tooLarge()
	}
	if len(data) == 0 {
		return nil, refused("Berkas kosong.")
	}
	mime := Sniff(data)
	k, ok := accepted[mime]
	if !ok {
		return nil, refused("Jenis berkas %s tidak diterima (foto, suara, video atau PDF saja).", mime)
	}
	out := &Checked{Type: k.typ, MIME: mime, Ext: k.ext, Data: data}
	if k.typ != hailurah.MediaImage {
		return out, nil
	}
	if err := reencode(out); err != nil {
		return nil, err
	}
	return out, nil
}

// Sniff names data's type by its first bytes: http.DetectContentType, plus
// the audio formats it does not know.
func Sniff(data []byte) string {
	switch {
	case bytes.HasPrefix(data, []byte("#!AMR")):
		return "audio/amr"
	case len(data) >= 12 && string(data[4:8]) == "ftyp" && (string(data[8:11]) == "M4A" || string(data[8:11]) == "M4B"):
		return "audio/mp4"
	case len(data) >= 2 && data[0] == 0xFF && data[1]&0xE0 == 0xE0 && data[1]&0x06 != 0:
		return "audio/mpeg" // an MPEG audio frame without an ID3 tag
	}
	mime, _, _ := strings.Cut(http.DetectContentType(data), ";")
	if mime == "application/ogg" {
		return "audio/ogg" // WhatsApp's voice notes: Opus in Ogg
	}
	return mime
}

// reencode decodes the image and writes it again, which drops every
// metadata segment and chunk, and makes the thumbnail from the pixels.
func reencode(c *Checked) error {
	cfg, _, err := image.DecodeConfig(bytes.NewReader(c.Data))
	if c.MIME == "image/webp" {
		cfg, err = webp.DecodeConfig(bytes.NewReader(c.Data))
	}
	if err == nil && cfg.Width*cfg.Height > maxPixels {
		return refused("Gambar terlalu besar (%d×%d piksel).", cfg.Width, cfg.Height)
	}
	var img image.Image
	var buf bytes.Buffer
	switch c.MIME {
	case "image/jpeg":
		if img, err = jpeg.Decode(bytes.NewReader(c.Data)); err == nil {
			img = orient(img, exifOrientation(c.Data))
			err = jpeg.Encode(&buf, img, &jpeg.Options{Quality: 85})
		}
	case "image/png":
		if img, err = png.Decode(bytes.NewReader(c.Data)); err == nil {
			err = png.Encode(&buf, img)
		}
	case "image/gif":
		var g *gif.GIF
		if g, err = gif.DecodeAll(bytes.NewReader(c.Data)); err == nil {
			img = g.Image[0]
			err = gif.EncodeAll(&buf, g)
		}
	case "image/webp":
		// No WebP encoder in Go: a photo becomes a JPEG, a picture with
		// transparency a PNG.
		if img, err = webp.Decode(bytes.NewReader(c.Data)); err != nil {
			// An animated or unusual WebP: kept as a file for download.
			c.Type, c.Note = hailurah.MediaDocument, "WebP tidak dapat dibaca sebagai gambar; disimpan sebagai berkas."
			return nil
		}
		if opaque(img) {
			c.MIME, c.Ext = "image/jpeg", ".jpg"
			err = jpeg.Encode(&buf, img, &jpeg.Options{Quality: 85})
		} else {
			c.MIME, c.Ext = "image/png", ".png"
			err = png.Encode(&buf, img)
		}
	}
	if err != nil {
		return refused("Gambar rusak atau tidak dapat dibaca.")
	}
	c.Data = buf.Bytes()
	thumb, err := Thumbnail(img)
	if err != nil {
		return err
	}
	c.Thumb = thumb
	return nil
}

func opaque(img image.Image) bool {
	o, ok := img.(interface{ Opaque() bool })
	return !ok || o.Opaque()
}

// Thumbnail scales img to fit ThumbnailSize (never up) over white, as a
// JPEG.
func Thumbnail(img image.Image) ([]byte, error) {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	if w > ThumbnailSize || h > ThumbnailSize {
		if w >= h {
			w, h = ThumbnailSize, max(1, h*ThumbnailSize/b.Dx())
		} else {
			w, h = max(1, w*ThumbnailSize/b.Dy()), ThumbnailSize
		}
	}
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.Draw(dst, dst.Bounds(), image.NewUniform(color.White), image.Point{}, draw.Src)
	draw.BiLinear.Scale(dst, dst.Bounds(), img, b, draw.Over, nil)
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, dst, &jpeg.Options{Quality: 80}); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
