package triage

// Every text HAI LURAH sends, in one place for review. They follow the
// seed's "Template Pesan Sistem & Automasi"; placeholders are filled by the
// Compose functions in compose.go.

// MaxMessageLen is WhatsApp's limit for one text message, in characters.
const MaxMessageLen = 4096

// ACK: the seed's "Message Received webhook (ACK)".
const (
	tmplACK = `Terima kasih. Pesan Anda telah diterima oleh HAI LURAH (Kel. %s).
Ingin anonim? BALAS: ANONIM YA / ANONIM TIDAK.
Ingin tembusan ke Lurah? BALAS: TEMBUSAN YA / TEMBUSAN TIDAK.
Ketik LANJUT untuk saran sekarang.`
	tmplACKNoKelurahan = `Terima kasih. Pesan Anda telah diterima oleh HAI LURAH.
Ingin anonim? BALAS: ANONIM YA / ANONIM TIDAK.
Ingin tembusan ke Lurah? BALAS: TEMBUSAN YA / TEMBUSAN TIDAK.
Ketik LANJUT untuk saran sekarang.`
)

// Reply: the seed's "AI Response Template (final)".
const (
	tmplReplyOpening = "Halo, terima kasih sudah menyampaikan. Maaf mendengar kondisi tersebut."
	// Urgency 5 starts with what to do now, before any advice.
	tmplReplyEmergency = "Jika ada bahaya bagi keselamatan saat ini, segera hubungi 112 (darurat) — laporan Anda juga sudah kami teruskan ke Lurah."
	// A question or a thank-you gets no condolence.
	tmplReplyOpeningQuestion = "Halo, terima kasih sudah menghubungi HAI LURAH."
	tmplReplyBody            = `Ringkasan: %s
Diagnosis singkat: %s
Solusi:
• A (Sederhana, 1–7 hari): %s
• B (Menengah, 7–30 hari): %s
• C (High-impact, 1–12 bulan): %s
Langkah 3 konkret: %s
Urgensi: %d/5 | Kategori: %s`
	tmplReplyEscalated = "Laporan ini kami teruskan ke Lurah untuk ditindaklanjuti segera."
	tmplReplyClosing   = "Ketik 'MINTA DRAFT' untuk surat/permohonan, atau 'SESUDAH' jika sudah terselesaikan."
)

// Lurah notification: the seed's "[NOTIF]".
const (
	tmplNotif = `[NOTIF] Tiket #%s — %s (Urgensi %d)%s
Kel: %s, RT/RW %s/%s
Ringkasan: %s
Saran awal AI: %s
Link tiket: %s`
	tmplNotifUrgent   = " | URGENT"
	tmplNotifTembusan = "\nTembusan atas permintaan warga."
)

// Close the loop (the seed's step 5) and the other short workflow texts.
const (
	tmplConfirmQuestion = `Terima kasih, Lurah telah menindaklanjuti laporan Anda (tiket %s).
Mohon konfirmasi apakah masalah sudah terselesaikan: balas SESUDAH atau BELUM.`
	tmplConfirmReminder = `Pengingat dari HAI LURAH: laporan Anda (tiket %s) sudah ditindaklanjuti.
Apakah masalahnya sudah terselesaikan? Balas SESUDAH atau BELUM. Tanpa balasan, tiket akan ditutup otomatis.`
	tmplRatingQuestion = `Terima kasih atas konfirmasinya. Seberapa puas Anda dengan penanganan tiket %s?
Balas dengan angka 1–5 (5 = sangat puas).`
	tmplStatus  = "Status tiket %s: %s.\nKetik STATUS kapan saja untuk melihat perkembangan terbaru."
	tmplAskText = `Maaf, HAI LURAH saat ini hanya dapat membaca pesan teks.
Mohon tuliskan keluhan atau pertanyaan Anda, sebutkan RT/RW dan lokasinya, agar bisa segera kami bantu. 🙏`
)

// Draft request letter (MINTA DRAFT): a formal "Surat Permohonan".
const (
	tmplLetterHeader = `SURAT PERMOHONAN TINDAK LANJUT

Nomor Tiket : %s
Perihal     : Permohonan tindak lanjut %s
Lampiran    : Foto/dokumentasi lokasi (bila ada)

Kepada Yth.
%s
di tempat

Dengan hormat,
`
	tmplLetterIdentity = `Yang bertanda tangan di bawah ini:
Nama   : %s
Alamat : %s
No. HP : ..............................

dengan ini mengajukan permohonan tindak lanjut atas permasalahan berikut:
`
	tmplLetterAnonymous = `Kami, warga %s, dengan ini mengajukan permohonan tindak lanjut atas permasalahan berikut (identitas pelapor dirahasiakan atas permintaan warga):
`
	tmplLetterBody = `
Kategori    : %s
Lokasi      : %s
Uraian      : %s

Keterangan warga:
"%s"

Sehubungan dengan hal tersebut, kami mohon Bapak/Ibu berkenan menindaklanjuti permasalahan ini%s sesuai kewenangan, serta menginformasikan perkembangannya kepada warga melalui HAI LURAH (tiket %s).

Demikian permohonan ini kami sampaikan. Atas perhatian dan bantuan Bapak/Ibu, kami ucapkan terima kasih.

Madiun, %s
`
	tmplLetterSign          = "Pemohon,\n\n\n(%s)"
	tmplLetterSignAnonymous = "Pemohon,\nWarga %s\n(identitas dirahasiakan)"
	tmplLetterBlankName     = ".............................."
)
