package fieldstore

import (
	"context"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/hailurah/hailurah"
)

type productRow struct {
	ID            int64 `gorm:"primaryKey"`
	KelurahanCode string
	HouseholdID   string
	Name          string
	Description   string
	Price         int64
	BusinessName  string
	SellerPhone   string
	WAConsent     bool `gorm:"column:wa_consent"`
	PhotoKey      string
	PhotoMIME     string `gorm:"column:photo_mime"`
	Hidden        bool
	CreatedBy     string
	CreatedAt     time.Time
	UpdatedAt     time.Time
	Orders        int `gorm:"->;-:migration"`
}

func (productRow) TableName() string { return "toko_products" }

func (r *productRow) product() *hailurah.TokoProduct {
	return &hailurah.TokoProduct{ID: r.ID, Kelurahan: r.KelurahanCode, HouseholdID: r.HouseholdID, Name: r.Name,
		Description: r.Description, Price: r.Price, BusinessName: r.BusinessName, SellerPhone: r.SellerPhone,
		WAConsent: r.WAConsent, PhotoKey: r.PhotoKey, PhotoMIME: r.PhotoMIME, Hidden: r.Hidden, CreatedBy: r.CreatedBy,
		CreatedAt: utc(r.CreatedAt), UpdatedAt: utc(r.UpdatedAt), Orders: r.Orders}
}

// SaveProduct implements hailurah.FieldService. An update keeps the
// product's creator, and its photo when p carries none.
func (s *Store) SaveProduct(ctx context.Context, p *hailurah.TokoProduct) error {
	if err := firstOf(p.FieldErrors()); err != nil {
		return err
	}
	return s.q(ctx).Transaction(func(tx *gorm.DB) error {
		kel, _, err := householdOf(tx, p.HouseholdID)
		if err != nil {
			return err
		}
		now := s.now()
		row := productRow{ID: p.ID, KelurahanCode: kel, HouseholdID: p.HouseholdID, Name: strings.TrimSpace(p.Name),
			Description: strings.TrimSpace(p.Description), Price: p.Price, BusinessName: strings.TrimSpace(p.BusinessName),
			SellerPhone: p.SellerPhone, WAConsent: p.WAConsent, PhotoKey: p.PhotoKey, PhotoMIME: p.PhotoMIME, Hidden: p.Hidden,
			CreatedBy: p.CreatedBy, CreatedAt: now, UpdatedAt: now}
		if p.ID == 0 {
			if err := tx.Create(&row).Error; err != nil {
				return err
			}
		} else {
			var old productRow
			if err := tx.Take(&old, p.ID).Error; err != nil {
				return findOr(err, "Produk")
			}
			row.CreatedBy, row.CreatedAt = old.CreatedBy, old.CreatedAt
			if row.PhotoKey == "" {
				row.PhotoKey, row.PhotoMIME = old.PhotoKey, old.PhotoMIME
			}
			if err := tx.Select("*").Omit("orders").Save(&row).Error; err != nil {
				return err
			}
		}
		*p = *row.product()
		return nil
	})
}

// FindProduct implements hailurah.FieldService.
func (s *Store) FindProduct(ctx context.Context, id int64) (*hailurah.TokoProduct, error) {
	var row productRow
	if err := s.q(ctx).Table("toko_products").Select(productColumns).Where("id = ?", id).Take(&row).Error; err != nil {
		return nil, findOr(err, "Produk")
	}
	return row.product(), nil
}

// productColumns select a product with its order count.
const productColumns = `toko_products.*,
  (SELECT COALESCE(SUM(o.quantity), 0) FROM toko_orders o WHERE o.product_id = toko_products.id) AS orders`

// ListProducts implements hailurah.FieldService.
func (s *Store) ListProducts(ctx context.Context, kelurahan string, withHidden bool) ([]*hailurah.TokoProduct, error) {
	tx := s.q(ctx).Table("toko_products").Select(productColumns)
	if kelurahan != "" {
		tx = tx.Where("kelurahan_code = ?", kelurahan)
	}
	if !withHidden {
		tx = tx.Where("NOT hidden")
	}
	var rows []productRow
	if err := tx.Order("updated_at DESC, id DESC").Limit(maxRows).Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]*hailurah.TokoProduct, len(rows))
	for i := range rows {
		out[i] = rows[i].product()
	}
	return out, nil
}

type orderRow struct {
	ID            int64 `gorm:"primaryKey"`
	ProductID     int64
	HouseholdID   string
	KelurahanCode string
	Source        string
	Quantity      int
	Amount        int64
	At            time.Time
	CreatedBy     string
}

func (orderRow) TableName() string { return "toko_orders" }

// RecordOrder implements hailurah.FieldService. A zero At is now.
func (s *Store) RecordOrder(ctx context.Context, o *hailurah.TokoOrder) error {
	if err := firstOf(o.FieldErrors()); err != nil {
		return err
	}
	p, err := s.FindProduct(ctx, o.ProductID)
	if err != nil {
		return err
	}
	at := o.At
	if at.IsZero() {
		at = s.now()
	}
	row := orderRow{ProductID: p.ID, HouseholdID: p.HouseholdID, KelurahanCode: p.Kelurahan, Source: o.Source,
		Quantity: o.Quantity, Amount: o.Amount, At: utc(at), CreatedBy: o.By}
	if err := s.q(ctx).Create(&row).Error; err != nil {
		return err
	}
	o.ID, o.HouseholdID, o.Kelurahan, o.At = row.ID, row.HouseholdID, row.KelurahanCode, row.At
	return nil
}
