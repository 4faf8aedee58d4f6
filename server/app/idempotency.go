package app

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/hailurah/hailurah"
)

// A staff action or a citizen's curhat names each attempt of the user's
// with an idempotency key, so that a second click or a client's retry
// after a timeout is answered with the first outcome instead of acting
// twice: the API takes the Idempotency-Key header, the pages render a
// fresh hidden idempotency_key field into every form (pageFuncs).

const maxIdempotencyKey = 128

// IdempotencyKey returns the request's key, "" when it has none. Returns
// EINVALID for a key that is too long or not printable ASCII.
func IdempotencyKey(c *gin.Context) (string, error) {
	key := c.GetHeader("Idempotency-Key")
	if key == "" && c.ContentType() != "application/json" {
		key = c.PostForm("idempotency_key")
	}
	if len(key) > maxIdempotencyKey {
		return "", hailurah.FieldErrorf("idempotency_key", "Idempotency-Key terlalu panjang (maks. %d karakter).", maxIdempotencyKey)
	}
	for _, r := range key {
		if r < 0x21 || r > 0x7e {
			return "", hailurah.FieldErrorf("idempotency_key", "Idempotency-Key hanya boleh berisi huruf, angka dan tanda baca ASCII.")
		}
	}
	return key, nil
}

// AnswerPending answers 202 for an action its case accepted and has not
// finished yet (EPENDING), and reports whether it did. Sending the same
// Idempotency-Key again later returns the outcome.
func AnswerPending(c *gin.Context, err error) bool {
	if hailurah.ErrorCode(err) != hailurah.EPENDING {
		return false
	}
	c.JSON(http.StatusAccepted, gin.H{"status": "processing", "message": hailurah.ErrorMessage(err)})
	return true
}
