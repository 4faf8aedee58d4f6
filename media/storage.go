package media

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"github.com/hailurah/hailurah"
)

// Storage keeps the files. Keys are "<ticket>/<media id><ext>" (Key,
// ThumbKey); nothing else is written or read.
type Storage interface {
	// Put writes the file under key, replacing what a retried download
	// wrote. Returns EINVALID for a key Key or ThumbKey did not make.
	Put(ctx context.Context, key, contentType string, data []byte) error
	// Open returns the file and its size. Returns ENOTFOUND for a key
	// that holds nothing.
	Open(ctx context.Context, key string) (io.ReadCloser, int64, error)
}

var keyPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9-]{0,63}/[0-9a-f]{24}(\.thumb)?\.[a-z0-9]{2,4}$`)

// Key is where the file of media m is kept.
func Key(ticketID, mediaID, ext string) string { return ticketID + "/" + mediaID + ext }

// ThumbKey is where its thumbnail is kept.
func ThumbKey(ticketID, mediaID string) string { return ticketID + "/" + mediaID + ".thumb.jpg" }

func checkKey(key string) error {
	if !keyPattern.MatchString(key) {
		return hailurah.Errorf(hailurah.EINVALID, "Kunci media %q tidak valid.", key)
	}
	return nil
}

func notFound() error { return hailurah.Errorf(hailurah.ENOTFOUND, "Berkas media tidak ditemukan.") }

// Dir keeps files under a directory: DATA_DIR/media on the embedded
// default.
type Dir string

// Put implements Storage: written to a temporary file and renamed, so a
// reader never sees half a file.
func (d Dir) Put(_ context.Context, key, _ string, data []byte) error {
	if err := checkKey(key); err != nil {
		return err
	}
	path := filepath.Join(string(d), filepath.FromSlash(key))
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".put-*")
	if err != nil {
		return err
	}
	_, err = tmp.Write(data)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		_ = os.Remove(tmp.Name())
	}
	return err
}

// Open implements Storage.
func (d Dir) Open(_ context.Context, key string) (io.ReadCloser, int64, error) {
	if err := checkKey(key); err != nil {
		return nil, 0, notFound()
	}
	f, err := os.Open(filepath.Join(string(d), filepath.FromSlash(key)))
	if errors.Is(err, os.ErrNotExist) {
		return nil, 0, notFound()
	} else if err != nil {
		return nil, 0, err
	}
	fi, err := f.Stat()
	if err != nil || !fi.Mode().IsRegular() {
		_ = f.Close()
		return nil, 0, notFound()
	}
	return f, fi.Size(), nil
}

// S3 keeps files in an S3-compatible bucket (AWS, MinIO) under a prefix.
type S3 struct {
	client *minio.Client
	bucket string
	prefix string // "" or ending in "/"
}

// S3Config says where the bucket is and who may write to it.
type S3Config struct {
	Bucket, Prefix string
	// Endpoint is the server: "https://minio.local:9000" or a host
	// ("s3.ap-southeast-3.amazonaws.com", https). "" means AWS.
	Endpoint  string
	Region    string
	AccessKey string
	SecretKey string
	// PathStyle names the bucket in the path, as MinIO expects; set
	// whenever Endpoint is.
	PathStyle bool
}

// NewS3 returns the storage of cfg. It does not connect: a bucket that is
// unreachable shows at the first download, which retries.
func NewS3(cfg S3Config) (*S3, error) {
	endpoint, secure := cfg.Endpoint, true
	if endpoint == "" {
		endpoint = "s3.amazonaws.com"
	}
	if u, err := url.Parse(endpoint); err == nil && (u.Scheme == "http" || u.Scheme == "https") {
		endpoint, secure = u.Host, u.Scheme == "https"
	}
	lookup := minio.BucketLookupAuto
	if cfg.PathStyle {
		lookup = minio.BucketLookupPath
	}
	client, err := minio.New(endpoint, &minio.Options{
		Creds:        credentials.NewStaticV4(cfg.AccessKey, cfg.SecretKey, ""),
		Secure:       secure,
		Region:       cfg.Region,
		BucketLookup: lookup,
	})
	if err != nil {
		return nil, fmt.Errorf("media bucket: %w", err)
	}
	prefix := strings.Trim(cfg.Prefix, "/")
	if prefix != "" {
		prefix += "/"
	}
	return &S3{client: client, bucket: cfg.Bucket, prefix: prefix}, nil
}

// Put implements Storage.
func (s *S3) Put(ctx context.Context, key, contentType string, data []byte) error {
	if err := checkKey(key); err != nil {
		return err
	}
	_, err := s.client.PutObject(ctx, s.bucket, s.prefix+key, bytes.NewReader(data), int64(len(data)),
		minio.PutObjectOptions{ContentType: contentType})
	return err
}

// Open implements Storage.
func (s *S3) Open(ctx context.Context, key string) (io.ReadCloser, int64, error) {
	if err := checkKey(key); err != nil {
		return nil, 0, notFound()
	}
	obj, err := s.client.GetObject(ctx, s.bucket, s.prefix+key, minio.GetObjectOptions{})
	if err != nil {
		return nil, 0, err
	}
	st, err := obj.Stat()
	if err != nil {
		_ = obj.Close()
		if minio.ToErrorResponse(err).Code == minio.NoSuchKey {
			return nil, 0, notFound()
		}
		return nil, 0, err
	}
	return obj, st.Size, nil
}

// OpenStorage returns the storage mediaURL names: "" keeps files under
// dataDir/media, "s3://bucket/prefix" in a bucket whose server and keys
// getenv gives (HAILURAH_S3_ENDPOINT, HAILURAH_S3_REGION,
// AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY).
func OpenStorage(mediaURL, dataDir string, getenv func(string) string) (Storage, error) {
	if mediaURL == "" {
		return Dir(filepath.Join(dataDir, "media")), nil
	}
	u, err := url.Parse(mediaURL)
	if err != nil || u.Scheme != "s3" || u.Host == "" {
		return nil, fmt.Errorf("HAILURAH_MEDIA_URL must be s3://bucket/prefix, or empty for the data dir")
	}
	cfg := S3Config{Bucket: u.Host, Prefix: u.Path, Endpoint: getenv("HAILURAH_S3_ENDPOINT"),
		Region: getenv("HAILURAH_S3_REGION"), AccessKey: getenv("AWS_ACCESS_KEY_ID"), SecretKey: getenv("AWS_SECRET_ACCESS_KEY")}
	if cfg.AccessKey == "" || cfg.SecretKey == "" {
		return nil, fmt.Errorf("HAILURAH_MEDIA_URL names a bucket: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY")
	}
	cfg.PathStyle = cfg.Endpoint != ""
	if cfg.PathStyle && cfg.Region == "" {
		cfg.Region = "us-east-1" // MinIO's default; saves asking the bucket's location
	}
	return NewS3(cfg)
}
