package ui

import (
	"net/http"

	"github.com/gin-gonic/gin"
)

type devPhonePage struct {
	Numbers []devNumber
	Phones  []string
}

// devNumber is one of our WhatsApp numbers the simulated phone can write
// to: the city's, or a kelurahan's own.
type devNumber struct {
	ID    string
	Label string
}

func (s *UI) devPhonePage(c *gin.Context) {
	data := devPhonePage{Phones: []string{"0812-3456-7890", "0857-1234-5678", "0896-1112-2233"}}
	city := s.PhoneNumberID
	data.Numbers = append(data.Numbers, devNumber{ID: city, Label: "Nomor kota (bersama)"})
	if all, err := s.Kelurahan.ListKelurahan(c.Request.Context()); err == nil {
		for _, k := range all {
			if k.WhatsAppPhoneNumberID != "" && k.WhatsAppPhoneNumberID != city {
				data.Numbers = append(data.Numbers, devNumber{ID: k.WhatsAppPhoneNumberID, Label: "Nomor Kelurahan " + k.Name})
			}
		}
	}
	s.renderPage(c, http.StatusOK, "citizen_phone", pageData{Title: "Telepon simulasi", Wide: true, Data: data})
}
