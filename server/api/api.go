// Package api is the JSON API under /api/v1 that staff tools and the
// public tracking page call: tickets, notifications, the programme, pilots,
// dashboards and open data, new curhat and tracking. Its actions are
// package app's, the same the pages take.
package api

import (
	"github.com/gin-gonic/gin"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/server/app"
)

// API serves the JSON routes through the services and actions of App.
type API struct {
	*app.App
}

// New returns the API over a.
func New(a *app.App) *API { return &API{App: a} }

// Routes registers the API's routes on api (the /api/v1 group) for what a
// configures: the ticket routes with cases, the programme's and the
// pilots' with theirs. Login, the audit log and the channels are
// package server's.
func (s *API) Routes(api *gin.RouterGroup) {
	s.userRoutes(api)
	if s.HandlesCases() {
		if s.Intake != nil {
			api.POST("/curhat", app.LimitByIP(s.IntakeLimit), s.apiCurhat)
			api.POST("/track/:code/phone", app.LimitByIP(s.IntakeLimit), refuseStaff, s.apiTrackPhone)
		}
		api.GET("/track/:code", app.LimitByIP(s.TrackingLimit), s.apiTrack)
		api.POST("/track/:code/reply", app.LimitByIP(s.IntakeLimit), refuseStaff, s.apiTrackReply)
		s.trackMediaRoutes(api)

		caseStaff := app.RequireRole(hailurah.RoleModerator, hailurah.RoleLurah, hailurah.RoleDinas, hailurah.RoleAdmin)
		api.GET("/tickets", s.RequireStaff, caseStaff, s.apiTickets)
		api.GET("/tickets/:id", s.RequireStaff, caseStaff, s.apiTicket)
		api.POST("/tickets/:id/actions", s.RequireStaff, caseStaff, s.apiTicketAction)
		if s.Intake != nil {
			api.POST("/tickets/:id/contact", s.RequireStaff, caseStaff, s.apiTicketContact)
		}
		api.GET("/notifications", s.RequireStaff, s.apiNotifications)
		api.POST("/notifications/read", s.RequireStaff, s.apiNotificationsRead)
		if s.Media != nil {
			s.mediaRoutes(api)
		}
	}
	if s.Programme != nil {
		s.programmeRoutes(api)
		if s.Programme.Loans != nil {
			s.loanRoutes(api)
		}
	}
	if s.Pilots != nil {
		s.pilotRoutes(api)
	}
	if s.Reports != nil {
		s.reportRoutes(api)
	}
}
