// HAI LURAH citizen pages: the web chat (/curhat), the kiosk (/kiosk) and
// the simulated phone (/dev/phone). Plain JavaScript, no inline code (the
// Content-Security-Policy allows only files from this server), and every
// text from the server is set with textContent, never as HTML.
(function () {
  "use strict";

  var POLL_MS = 3000;

  function $(id) { return document.getElementById(id); }

  function show(el, on) { if (el) { el.hidden = !on; } }

  function setError(el, msg) {
    if (!el) { return; }
    el.textContent = msg || "";
    show(el, !!msg);
  }

  // api sends JSON and resolves to {status, body}; a network failure
  // resolves with status 0, so callers show one message for both.
  function api(method, url, body, key) {
    var opts = { method: method, headers: { "Accept": "application/json" }, credentials: "same-origin" };
    if (key) { opts.headers["Idempotency-Key"] = key; }
    if (body instanceof FormData) {
      opts.body = body; // the browser sets multipart/form-data with its boundary
    } else if (body !== undefined) {
      opts.headers["Content-Type"] = "application/json";
      opts.body = JSON.stringify(body);
    }
    return request(url, opts);
  }

  // request fetches and answers {status, body}: the JSON body, or null;
  // status 0 when the network failed.
  function request(url, opts) {
    return fetch(url, opts).then(function (resp) {
      return resp.text().then(function (text) {
        var data = null;
        try { data = text ? JSON.parse(text) : null; } catch (e) { data = null; }
        return { status: resp.status, body: data };
      });
    }, function () { return { status: 0, body: null }; });
  }

  // newKey returns a random idempotency key.
  function newKey() {
    var b = new Uint8Array(16);
    window.crypto.getRandomValues(b);
    return Array.prototype.map.call(b, function (x) { return ("0" + x.toString(16)).slice(-2); }).join("");
  }

  function errorText(res, fallback) {
    if (res.status === 0) { return "Koneksi terputus. Periksa internet lalu coba lagi."; }
    if (res.status === 429) { return "Terlalu banyak permintaan. Tunggu sebentar lalu coba lagi."; }
    if (res.body && res.body.error && res.body.error.message) { return res.body.error.message; }
    return fallback;
  }

  function bubble(list, who, text, meta) {
    var li = document.createElement("li");
    li.className = "bubble " + who;
    var p = document.createElement("p");
    p.textContent = text;
    li.appendChild(p);
    if (meta) {
      var small = document.createElement("small");
      small.className = "bubble-meta";
      small.textContent = meta;
      li.appendChild(small);
    }
    list.appendChild(li);
    li.scrollIntoView({ block: "nearest" });
    return li;
  }

  function timeLabel(iso) {
    var d = new Date(iso);
    if (isNaN(d.getTime())) { return ""; }
    return d.toLocaleTimeString("id-ID", { hour: "2-digit", minute: "2-digit" });
  }

  // ---------------------------------------------------------------------
  // Web chat and kiosk.

  // Quick replies by ticket status, in plain words; each sends the same
  // command a WhatsApp user types. After the first answer (a reply came,
  // or the citizen said BELUM) the first-contact choices are gone; after
  // the rating, the rating buttons are.
  var LABELS = {
    "LANJUT": "Minta saran sekarang",
    "ANONIM YA": "Sembunyikan identitas saya",
    "TEMBUSAN YA": "Kirim juga ke Lurah",
    "STATUS": "Lihat perkembangan",
    "MINTA DRAFT": "Buatkan surat permohonan",
    "SESUDAH": "Masalah sudah beres",
    "BELUM": "Belum beres",
    "1": "1 · Sangat kecewa", "2": "2 · Kecewa", "3": "3 · Biasa", "4": "4 · Puas", "5": "5 · Sangat puas"
  };

  function commandsFor(track) {
    switch (track.status) {
      case "new":
      case "open":
        if (track.reopened) { return ["STATUS", "MINTA DRAFT"]; }
        return track.reply ? ["ANONIM YA", "TEMBUSAN YA", "STATUS", "MINTA DRAFT"] : ["LANJUT", "ANONIM YA", "TEMBUSAN YA", "STATUS"];
      case "assigned":
      case "in_progress":
        return ["STATUS", "MINTA DRAFT"];
      case "awaiting_confirmation":
        return ["SESUDAH", "BELUM"];
      case "resolved":
        return track.rated ? [] : ["1", "2", "3", "4", "5"];
    }
    return [];
  }

  // plainWords rewrites what the WhatsApp texts say for a keyboard (BALAS
  // …, Ketik …) and the few words a citizen may not know; the buttons
  // below the conversation do what those lines ask.
  var JARGON = [
    [/High-impact/g, "Jangka panjang"],
    [/\bCSR\b/g, "bantuan perusahaan (CSR)"],
    [/\bMusrenbang\b/g, "rapat usulan pembangunan warga (Musrenbang)"],
    [/\bDTKS\b/g, "data bantuan sosial (DTKS)"],
    [/(kirim|ketik|balas)\s+'MINTA DRAFT[^']*'/gi, "tekan tombol \u201cBuatkan surat permohonan\u201d"],
    [/'?MINTA DRAFT[^'\n.]*'?/g, "\u201cBuatkan surat permohonan\u201d"],
    [/(balas|ketik|kirim)\s+'?SESUDAH'?/gi, "tekan \u201cMasalah sudah beres\u201d"]
  ];

  function plainWords(text) {
    var lines = String(text || "").split("\n").filter(function (l) {
      return !/^\s*(Ingin anonim\?|Ingin tembusan|Ketik |Ketik'|Balas dengan angka)/i.test(l) && !/BALAS:/.test(l);
    });
    var out = lines.join("\n")
      .replace(/balas SESUDAH atau BELUM\.?/gi, "pilih tombol di bawah.")
      .replace(/Balas SESUDAH atau BELUM\.?/g, "Pilih tombol di bawah.");
    JARGON.forEach(function (j) { out = out.replace(j[0], j[1]); });
    return out.trim();
  }

  var URGENCY = ["", "rendah", "rendah", "sedang", "tinggi", "sangat tinggi"];

  // replySections turns the AI reply ("Ringkasan: … Solusi: • A … Langkah
  // 3 konkret: … Urgensi: 3/5 | Kategori: …") into headed sections; a
  // text without them stays a paragraph.
  function replySections(text) {
    text = plainWords(text);
    var m = /Ringkasan:\s*([\s\S]*?)\n(?:Diagnosis singkat:\s*([\s\S]*?)\n)?Solusi:\s*\n([\s\S]*?)\nLangkah 3 konkret:\s*([\s\S]*?)(?:\nUrgensi:\s*(\d)\/5\s*\|\s*Kategori:\s*([^\n]*))?(?:\n([\s\S]*))?$/.exec(text);
    if (!m) { return null; }
    var opening = text.slice(0, m.index).trim();
    var box = document.createElement("div");
    function part(title, body, kind) {
      if (!body) { return; }
      var h = document.createElement("h3");
      h.textContent = title;
      box.appendChild(h);
      if (kind) {
        var list = document.createElement(kind);
        body.forEach(function (b) {
          var li = document.createElement("li");
          li.textContent = b;
          list.appendChild(li);
        });
        box.appendChild(list);
      } else {
        var p = document.createElement("p");
        p.textContent = body;
        box.appendChild(p);
      }
    }
    if (opening) { var o = document.createElement("p"); o.textContent = opening; box.appendChild(o); }
    part("Ringkasan", m[1].trim());
    part("Kemungkinan penyebab", (m[2] || "").trim());
    var options = m[3].split("\n").map(function (l) {
      return l.replace(/^\s*•\s*/, "").replace(/^A \(Sederhana, ([^)]*)\):/, "Cepat ($1):")
        .replace(/^B \(Menengah, ([^)]*)\):/, "Menengah ($1):").replace(/^C \(Jangka panjang, ([^)]*)\):/, "Jangka panjang ($1):").trim();
    }).filter(Boolean);
    part("Pilihan penyelesaian", options, "ul");
    var steps = m[4].split(/\s*\d\)\s+/).map(function (x) { return x.replace(/[,;]\s*$/, "").trim(); }).filter(Boolean);
    part("Langkah yang bisa Anda lakukan", steps.length > 1 ? steps : [m[4].trim()], "ol");
    if (m[5]) {
      var f = document.createElement("p");
      f.className = "reply-facts";
      f.textContent = "Tingkat kepentingan: " + URGENCY[+m[5]] + " (" + m[5] + " dari 5) · Jenis masalah: " + (m[6] || "").trim();
      box.appendChild(f);
    }
    if (m[7] && m[7].trim()) { var c = document.createElement("p"); c.textContent = m[7].trim(); box.appendChild(c); }
    return box;
  }

  function initChat(root) {
    var channel = root.getAttribute("data-channel") || "web";
    var remember = root.getAttribute("data-remember") === "session";
    var idleSeconds = parseInt(root.getAttribute("data-idle") || "0", 10);
    var form = $("curhat-form"), trackForm = $("track-form"), chat = $("chat");
    var log = $("chat-log"), commands = $("chat-commands"), replyForm = $("reply-form");
    var phoneForm = $("phone-form");
    var state = null; // {code, ticket, seen, mine: [{text, after}], status}
    var timer = null;

    function save() {
      if (!remember) { return; }
      try {
        if (state) { sessionStorage.setItem("hailurah.chat", JSON.stringify(state)); }
        else { sessionStorage.removeItem("hailurah.chat"); }
      } catch (e) { /* private mode: the chat just is not kept */ }
    }

    // theirs shows one message of HAI LURAH: the AI reply as sections,
    // any other text in plain words.
    function theirs(m) {
      var sections = replySections(m.text);
      if (!sections) {
        var text = plainWords(m.text);
        if (text) { bubble(log, "them", text, timeLabel(m.at)); }
        return;
      }
      var li = bubble(log, "them", "", timeLabel(m.at));
      li.classList.add("reply-sections");
      li.replaceChild(sections, li.firstChild);
    }

    function render(track) {
      $("chat-ticket").textContent = track.ticket_id;
      $("chat-code").textContent = state.code;
      var st = $("chat-status");
      st.textContent = track.status_label;
      st.className = "badge " + ({ resolved: "st-done", closed: "st-final", rejected: "st-final", awaiting_confirmation: "st-wait" }[track.status] || "st-open");
      // Citizen messages sit after the system messages they answered.
      var msgs = track.messages || [];
      if (!msgs.length && state.ack) {
        // The intake's ACK until the outbox row the workflow writes arrives.
        msgs = [{ text: state.ack, at: "" }];
      }
      var logKey = JSON.stringify([msgs.length, state.mine.length, msgs.length ? msgs[msgs.length - 1].at : ""]);
      if (log.getAttribute("data-key") !== logKey) {
        log.setAttribute("data-key", logKey);
        log.textContent = "";
        var mine = state.mine.slice();
        for (var i = 0; i <= msgs.length; i++) {
          while (mine.length && mine[0].after <= i) {
            bubble(log, "me", mine.shift().text);
          }
          if (i < msgs.length) { theirs(msgs[i]); }
        }
      }
      renderPhotos(track.media || []);
      state.seen = (track.messages || []).length;
      state.status = track.status;
      show($("chat-wait"), !track.reply && track.status === "new");
      var cmds = commandsFor(track);
      if (commands.getAttribute("data-key") !== cmds.join("|")) {
        var had = commands.contains(document.activeElement);
        commands.setAttribute("data-key", cmds.join("|"));
        commands.textContent = "";
        if (track.status === "resolved" && cmds.length) {
          var note = document.createElement("p");
          note.className = "hint";
          note.textContent = "Seberapa puas Anda dengan penanganannya?";
          commands.appendChild(note);
        } else if (track.status === "resolved" && track.rated) {
          var thanks = document.createElement("p");
          thanks.className = "hint";
          thanks.textContent = "Terima kasih, nilai Anda sudah kami terima.";
          commands.appendChild(thanks);
        }
        cmds.forEach(function (cmd) {
          var b = document.createElement("button");
          b.type = "button";
          b.className = "secondary";
          b.textContent = LABELS[cmd] || cmd;
          b.setAttribute("data-command", cmd);
          commands.appendChild(b);
        });
        if (had) { (commands.querySelector("button") || $("reply-text")).focus(); }
      }
      var closed = track.status === "closed" || track.status === "rejected";
      show(replyForm, !closed);
      // A phone typed into the form follows the ticket only with the code
      // sent to it on WhatsApp.
      show(phoneForm, track.phone === "pending" && !closed);
      show($("phone-ok"), track.phone === "confirmed");
      save();
    }

    // renderPhotos shows the citizen's own photos and the unit's evidence
    // as thumbnails linking to the full photo (served under the code).
    function renderPhotos(media) {
      var list = $("chat-photo-list");
      var photos = media.filter(function (m) { return m.type === "image" && m.thumbnail_url; });
      var key = JSON.stringify(photos.map(function (m) { return m.url; }));
      if (list.getAttribute("data-key") === key) { return; }
      list.setAttribute("data-key", key);
      list.textContent = "";
      photos.forEach(function (m, i) {
        var label = (m.from === "dinas" ? "Bukti dari dinas " : "Foto Anda ") + (i + 1);
        var li = document.createElement("li");
        var fig = document.createElement("figure");
        var a = document.createElement("a");
        a.href = m.url;
        a.target = "_blank";
        a.rel = "noopener";
        var img = document.createElement("img");
        img.src = m.thumbnail_url;
        img.alt = label;
        img.loading = "lazy";
        a.appendChild(img);
        var cap = document.createElement("figcaption");
        cap.textContent = m.from === "dinas" ? "Bukti dari dinas" : "Foto Anda";
        fig.appendChild(a);
        fig.appendChild(cap);
        li.appendChild(fig);
        list.appendChild(li);
      });
      show($("chat-photos"), photos.length > 0);
    }

    function poll() {
      if (!state) { return; }
      api("GET", "/api/v1/track/" + encodeURIComponent(state.code)).then(function (res) {
        if (!state) { return; }
        if (res.status === 200 && res.body) { render(res.body); }
        else if (res.status === 404) { setError($("reply-error"), "Kode lacak tidak ditemukan."); stop(); return; }
        timer = setTimeout(poll, POLL_MS);
      });
    }

    function stop() {
      if (timer) { clearTimeout(timer); timer = null; }
    }

    function open(code, mine, ack, focus) {
      state = { code: code, seen: 0, mine: mine || [], status: "", ack: ack || "" };
      show(form, false);
      show(trackForm, false);
      show(chat, true);
      show($("kiosk-done"), true);
      $("chat-code").textContent = code;
      var lacak = $("chat-lacak");
      if (lacak) { lacak.href = "/lacak/" + encodeURIComponent(code); }
      var qr = $("chat-qr");
      if (qr) { qr.src = "/lacak/" + encodeURIComponent(code) + "/qr.png"; qr.alt = "Kode QR halaman lacak " + code; qr.hidden = false; }
      stop();
      poll();
      // The result of sending: the conversation with its code, read first.
      var head = $("chat-title");
      if (head && focus) { head.focus(); }
    }

    function reset() {
      stop();
      state = null;
      save();
      log.textContent = "";
      commands.textContent = "";
      if (form) { form.reset(); }
      place = null;
      setError($("lokasi-status"), "");
      log.removeAttribute("data-key");
      commands.removeAttribute("data-key");
      photos = [];
      drawPhotos();
      [$("form-error"), $("photo-error"), $("reply-error"), $("track-error"), $("phone-code-error")].forEach(function (e) { setError(e, ""); });
      show(chat, false);
      show(form, true);
      show(trackForm, true);
      show($("kiosk-done"), false);
      window.scrollTo(0, 0);
    }

    // Photos chosen with "Tambah foto", one or more at a time (a phone's
    // camera gives one per shot), up to MAX_PHOTOS. The server checks them
    // by content; here only the count and the size, to say it early.
    var photos = [];
    var photoInput = $("curhat-photo"), photoList = $("photo-list");
    // The limits the server checks, from the page.
    var MAX_PHOTOS = photoInput ? parseInt(photoInput.getAttribute("data-max-photos"), 10) : 0;
    var MAX_PHOTO_MB = photoInput ? parseInt(photoInput.getAttribute("data-max-mb"), 10) : 0;

    function drawPhotos() {
      if (!photoList) { return; }
      photoList.textContent = "";
      photos.forEach(function (f, i) {
        var li = document.createElement("li");
        var name = document.createElement("span");
        name.textContent = f.name + " (" + Math.max(1, Math.round(f.size / 1024)) + " KB)";
        var del = document.createElement("button");
        del.type = "button";
        del.className = "secondary small";
        del.textContent = "Hapus";
        del.setAttribute("aria-label", "Hapus foto " + f.name);
        del.setAttribute("data-photo", String(i));
        li.appendChild(name);
        li.appendChild(del);
        photoList.appendChild(li);
      });
      if (photoInput) { photoInput.disabled = photos.length >= MAX_PHOTOS; }
    }

    if (photoInput) {
      photoInput.addEventListener("change", function () {
        setError($("photo-error"), "");
        Array.prototype.forEach.call(photoInput.files, function (f) {
          if (photos.length >= MAX_PHOTOS) {
            setError($("photo-error"), "Paling banyak " + MAX_PHOTOS + " foto per curhat.");
          } else if (f.size > MAX_PHOTO_MB * 1024 * 1024) {
            setError($("photo-error"), "Foto \"" + f.name + "\" terlalu besar (maks. " + MAX_PHOTO_MB + " MB per foto).");
          } else {
            photos.push(f);
          }
        });
        photoInput.value = "";
        drawPhotos();
      });
      photoList.addEventListener("click", function (ev) {
        var b = ev.target.closest("button[data-photo]");
        if (!b) { return; }
        photos.splice(parseInt(b.getAttribute("data-photo"), 10), 1);
        setError($("photo-error"), "");
        drawPhotos();
        photoInput.focus();
      });
    }

    // curhatBody is the JSON body, or with photos the same fields as a
    // multipart form with the photos in "photo".
    function curhatBody(body) {
      if (!photos.length) { return body; }
      var fd = new FormData();
      Object.keys(body).forEach(function (k) { fd.append(k, String(body[k])); });
      photos.forEach(function (f) { fd.append("photo", f, f.name); });
      return fd;
    }

    // A form error is about what was typed: it goes once the citizen types.
    form.addEventListener("input", function () { setError($("form-error"), ""); });

    // "Bagikan lokasi": opt-in, asked only when ticked; the point goes
    // with the curhat and nowhere else.
    var place = null, where = $("curhat-lokasi");
    if (where) {
      if (!navigator.geolocation) { show(where.closest(".location-field"), false); }
      where.addEventListener("change", function () {
        place = null;
        var status = $("lokasi-status");
        if (!where.checked) { setError(status, ""); return; }
        setError(status, "Mencari lokasi Anda…");
        navigator.geolocation.getCurrentPosition(function (pos) {
          place = { lat: Math.round(pos.coords.latitude * 1e6) / 1e6, lng: Math.round(pos.coords.longitude * 1e6) / 1e6 };
          setError(status, "Lokasi ditemukan dan akan dikirim bersama curhat.");
        }, function () {
          where.checked = false;
          setError(status, "Lokasi tidak dapat dibaca. Curhat tetap bisa dikirim tanpa lokasi.");
        }, { timeout: 15000, maximumAge: 60000 });
      });
    }

    var attempt = null; // the curhat being sent: its body and idempotency key
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var text = form.elements.text.value.trim();
      if (!text) { setError($("form-error"), "Isi curhat wajib diisi."); form.elements.text.focus(); return; }
      var body = { text: text, channel: channel, kelurahan: form.elements.kelurahan ? form.elements.kelurahan.value : "",
        rt: form.elements.rt.value.trim(), rw: form.elements.rw.value.trim() };
      // Unticked means "not said": the message's own ANONIM:/TEMBUSAN: lines still count.
      if (form.elements.phone && form.elements.phone.value.trim()) { body.phone = form.elements.phone.value.trim(); }
      if (form.elements.anonim.checked) { body.anonim = true; }
      if (form.elements.tembusan.checked) { body.tembusan = true; }
      if (place) { body.lat = place.lat; body.lng = place.lng; }
      // One key per curhat: sending the same words again after a failure
      // (a timeout that may have reached the server) returns the first
      // ticket instead of making a second.
      var sent = JSON.stringify([body, photos.map(function (f) { return [f.name, f.size, f.lastModified]; })]);
      if (!attempt || attempt.body !== sent) { attempt = { body: sent, key: newKey() }; }
      var send = form.querySelector("button[type=submit]");
      send.disabled = true;
      setError($("form-error"), "");
      setError($("photo-error"), "");
      setError($("form-status"), photos.length ? "Mengunggah… Mohon tunggu, foto sedang dikirim." : "");
      api("POST", "/api/v1/curhat", curhatBody(body), attempt.key).then(function (res) {
        send.disabled = false;
        setError($("form-status"), "");
        if (res.status !== 202 || !res.body) {
          var onPhoto = res.body && res.body.error && res.body.error.field === "photo";
          if (res.status === 413 && !onPhoto) { onPhoto = photos.length > 0; }
          setError(onPhoto ? $("photo-error") : $("form-error"), errorText(res, "Curhat belum terkirim. Coba lagi."));
          if (onPhoto && photoInput && !photoInput.disabled) { photoInput.focus(); }
          return;
        }
        attempt = null;
        photos = [];
        drawPhotos();
        open(res.body.tracking_code, [{ text: text, after: 0 }], res.body.ack, true);
      });
    });

    if (trackForm) {
      trackForm.addEventListener("submit", function (ev) {
        ev.preventDefault();
        var code = trackForm.elements.code.value.trim().toUpperCase();
        if (!code) { setError($("track-error"), "Masukkan kode lacak."); return; }
        api("GET", "/api/v1/track/" + encodeURIComponent(code)).then(function (res) {
          if (res.status !== 200) { setError($("track-error"), errorText(res, "Kode lacak tidak ditemukan.")); return; }
          open(code, [], "", true);
        });
      });
    }

    function reply(text) {
      if (!state || !text) { return; }
      setError($("reply-error"), "");
      state.mine.push({ text: text, after: state.seen });
      bubble(log, "me", text);
      save();
      api("POST", "/api/v1/track/" + encodeURIComponent(state.code) + "/reply", { text: text }).then(function (res) {
        if (res.status !== 202) {
          setError($("reply-error"), errorText(res, "Balasan belum terkirim. Coba lagi."));
          return;
        }
        stop();
        timer = setTimeout(poll, 1000);
      });
    }

    phoneForm.addEventListener("submit", function (ev) {
      ev.preventDefault();
      if (!state) { return; }
      var input = phoneForm.elements.code;
      var code = input.value.replace(/\s+/g, "");
      if (!/^[0-9]{6}$/.test(code)) { setError($("phone-code-error"), "Kode terdiri dari 6 angka, dari pesan WhatsApp HAI LURAH."); return; }
      setError($("phone-code-error"), "");
      api("POST", "/api/v1/track/" + encodeURIComponent(state.code) + "/phone", { code: code }).then(function (res) {
        if (res.status !== 200) {
          // The server names what went wrong: a wrong code, an expired one, too many tries.
          var msg = res.body && res.body.error && res.body.error.message;
          setError($("phone-code-error"), msg || errorText(res, "Kode belum terkirim. Coba lagi."));
          return;
        }
        input.value = "";
        stop();
        poll();
      });
    });

    replyForm.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var input = replyForm.elements.text;
      var text = input.value.trim();
      input.value = "";
      reply(text);
    });
    commands.addEventListener("click", function (ev) {
      var b = ev.target.closest("button[data-command]");
      if (b) { reply(b.getAttribute("data-command")); }
    });
    $("chat-new").addEventListener("click", reset);
    if ($("kiosk-done")) { $("kiosk-done").addEventListener("click", reset); }
    if ($("chat-print")) { $("chat-print").addEventListener("click", function () { window.print(); }); }

    if (remember) {
      try {
        var saved = JSON.parse(sessionStorage.getItem("hailurah.chat") || "null");
        if (saved && saved.code) { open(saved.code, saved.mine || [], saved.ack); }
      } catch (e) { /* nothing kept */ }
    }

    // The kiosk forgets everything after idleSeconds without a touch, so
    // the next citizen never sees the previous one's curhat.
    if (idleSeconds > 0) {
      var last = Date.now();
      var notice = $("kiosk-idle");
      var touched = function () { last = Date.now(); show(notice, false); };
      ["pointerdown", "keydown", "input", "scroll", "touchstart"].forEach(function (t) {
        document.addEventListener(t, touched, { passive: true });
      });
      setInterval(function () {
        var idle = (Date.now() - last) / 1000;
        var busy = state || (form.elements.text.value.trim() !== "");
        if (!busy) { show(notice, false); return; }
        var left = Math.ceil(idleSeconds - idle);
        if (left <= 0) { reset(); touched(); return; }
        if (left <= 20) {
          notice.textContent = "Layar akan dikosongkan dalam " + left + " detik. Sentuh layar untuk melanjutkan.";
          show(notice, true);
        }
      }, 1000);
    }
  }

  // ---------------------------------------------------------------------
  // Tracking page (/lacak/{code}): the page is drawn by the server; here
  // its photos, the "is it fixed?" and rating buttons, and a notice when
  // the case moved while the page was open.

  function initLacak(root) {
    var code = root.getAttribute("data-code");
    var seen = root.getAttribute("data-updated");
    var base = "/api/v1/track/" + encodeURIComponent(code);
    var printBtn = $("lacak-print");
    if (printBtn) { printBtn.addEventListener("click", function () { window.print(); }); }
    if (!code) { return; }

    function photos(list, media, from, label) {
      if (!list) { return; }
      list.textContent = "";
      media.filter(function (m) { return m.from === from && m.type === "image" && m.thumbnail_url; }).forEach(function (m, i) {
        var li = document.createElement("li");
        var a = document.createElement("a");
        a.href = m.url;
        var img = document.createElement("img");
        img.src = m.thumbnail_url;
        img.alt = label + " " + (i + 1);
        a.appendChild(img);
        li.appendChild(a);
        list.appendChild(li);
      });
    }

    var after = null; // set while waiting for the citizen's own answer to land
    function poll() {
      api("GET", base).then(function (res) {
        if (res.status === 200 && res.body) {
          photos($("bukti"), res.body.media || [], "dinas", "Foto bukti dari petugas");
          photos($("foto-warga"), res.body.media || [], "warga", "Foto Anda");
          var moved = res.body.updated_at && new Date(res.body.updated_at).getTime() !== new Date(seen).getTime();
          if (moved && after) {
            try { sessionStorage.setItem("hailurah.lacak.focus", "1"); } catch (e) { /* focus is a nicety */ }
            window.location.reload();
            return;
          }
          show($("lacak-news"), moved);
        }
        setTimeout(poll, after ? 1500 : 10000);
      });
    }

    function send(text) {
      setError($("lacak-error"), "");
      return api("POST", base + "/reply", { text: text }).then(function (res) {
        if (res.status !== 202) {
          setError($("lacak-error"), errorText(res, "Jawaban belum terkirim. Coba lagi."));
          return false;
        }
        var sent = $("lacak-sent");
        sent.textContent = "Terkirim. Halaman ini diperbarui sebentar lagi.";
        show(sent, true);
        sent.focus();
        after = Date.now();
        return true;
      });
    }

    root.addEventListener("click", function (ev) {
      var b = ev.target.closest("button[data-command]");
      if (!b) { return; }
      Array.prototype.forEach.call(root.querySelectorAll("button[data-command]"), function (x) { x.disabled = true; });
      send(b.getAttribute("data-command")).then(function (ok) {
        if (!ok) { Array.prototype.forEach.call(root.querySelectorAll("button[data-command]"), function (x) { x.disabled = false; }); }
      });
    });
    var reply = $("lacak-reply");
    if (reply) {
      reply.addEventListener("submit", function (ev) {
        ev.preventDefault();
        var input = reply.elements.text;
        var text = input.value.trim();
        if (!text) { setError($("lacak-error"), "Tulis dulu pesan Anda."); input.focus(); return; }
        send(text).then(function (ok) { if (ok) { input.value = ""; } });
      });
      reply.elements.text.addEventListener("input", function () { setError($("lacak-error"), ""); });
    }
    try {
      if (sessionStorage.getItem("hailurah.lacak.focus")) {
        sessionStorage.removeItem("hailurah.lacak.focus");
        var target = $("ask") || $("langkah-h");
        if (target) { target.setAttribute("tabindex", "-1"); target.focus(); }
      }
    } catch (e) { /* nothing kept */ }
    poll();
  }

  // ---------------------------------------------------------------------
  // Simulated phone.

  function initPhone(root) {
    var pick = $("phone-pick"), sendForm = $("phone-send"), log = $("phone-log");
    var phone = "", to = "", timer = null, lastKey = "";

    function draw(conv) {
      var items = [];
      conv.sent.forEach(function (m) { items.push({ at: m.at, side: "me", m: m, order: 0 }); });
      conv.received.forEach(function (m) { items.push({ at: m.at, side: "them", m: m, order: 1 }); });
      items.sort(function (a, b) {
        var d = new Date(a.at) - new Date(b.at);
        return d !== 0 ? d : a.order - b.order || a.m.id - b.m.id;
      });
      var key = JSON.stringify(items.map(function (i) { return [i.side, i.m.id, i.m.status]; }));
      if (key === lastKey) { return; }
      lastKey = key;
      log.textContent = "";
      items.forEach(function (i) {
        var m = i.m;
        var meta = timeLabel(m.at);
        if (i.side === "them") {
          meta += " · " + ({ pending: "di outbox (simulasi)", sending: "dikirim…", sent: "terkirim", delivered: "diterima",
            read: "dibaca", failed: "gagal: " + (m.error || ""),
            posted: m.sent_as === "simulated" ? "hanya di telepon simulasi" : "di halaman lacak" }[m.status] || m.status);
          if (m.sent_as && m.sent_as.indexOf("template:") === 0) { meta += " · templat " + m.sent_as.slice(9); }
        } else if (m.ticket_id) {
          meta += " · " + m.ticket_id;
        } else if (m.note) {
          meta += " · " + m.note;
        }
        var li = bubble(log, i.side, m.text, meta);
        if (i.side === "them" && m.buttons && m.buttons.length) {
          var row = document.createElement("div");
          row.className = "bubble-buttons";
          m.buttons.forEach(function (b) {
            var btn = document.createElement("button");
            btn.type = "button";
            btn.className = "secondary small";
            btn.textContent = b.title;
            btn.setAttribute("data-button", b.id);
            row.appendChild(btn);
          });
          li.appendChild(row);
        }
      });
    }

    function poll() {
      if (!phone) { return; }
      api("GET", "/api/v1/dev/phone?phone=" + encodeURIComponent(phone)).then(function (res) {
        if (res.status === 200 && res.body) { draw(res.body); setError($("phone-error"), ""); }
        else { setError($("phone-error"), errorText(res, "Percakapan tidak dapat dimuat.")); }
        timer = setTimeout(poll, 2000);
      });
    }

    function openPhone() {
      phone = pick.elements.phone.value.trim();
      to = pick.elements.phone_number_id.value;
      $("phone-who").textContent = phone;
      lastKey = "";
      log.textContent = "";
      if (timer) { clearTimeout(timer); }
      poll();
    }

    function send(body) {
      if (!phone) { openPhone(); }
      body.phone = phone;
      body.phone_number_id = to;
      return api("POST", "/api/v1/dev/phone", body).then(function (res) {
        if (res.status !== 202) { setError($("phone-error"), errorText(res, "Pesan tidak terkirim.")); return; }
        setError($("phone-error"), "");
        if (timer) { clearTimeout(timer); }
        poll();
      });
    }

    // A photo, voice note or document goes as a Cloud API attachment; the
    // text typed beside it is its caption.
    $("phone-file").addEventListener("change", function (ev) {
      var file = ev.target.files[0];
      if (!file) { return; }
      if (!phone) { openPhone(); }
      var data = new FormData();
      data.append("phone", phone);
      data.append("phone_number_id", to);
      data.append("caption", sendForm.elements.text.value.trim());
      data.append("file", file);
      sendForm.elements.text.value = "";
      ev.target.value = "";
      setError($("phone-error"), "Mengunggah…");
      request("/api/v1/dev/phone/media", { method: "POST", body: data, credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (res) {
          if (res.status !== 202) { setError($("phone-error"), errorText(res, "Berkas tidak terkirim.")); return; }
          setError($("phone-error"), "");
          if (timer) { clearTimeout(timer); }
          poll();
        });
    });

    pick.addEventListener("submit", function (ev) { ev.preventDefault(); openPhone(); });
    sendForm.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var input = sendForm.elements.text;
      var text = input.value.trim();
      if (!text) { return; }
      input.value = "";
      send({ kind: "text", text: text });
    });
    sendForm.elements.text.addEventListener("keydown", function (ev) {
      if (ev.key === "Enter" && !ev.shiftKey) { ev.preventDefault(); sendForm.requestSubmit(); }
    });
    log.addEventListener("click", function (ev) {
      var b = ev.target.closest("button[data-button]");
      if (b) { send({ kind: "button", button_id: b.getAttribute("data-button"), text: b.textContent }); }
    });
    root.addEventListener("click", function (ev) {
      var b = ev.target.closest("button[data-kind]");
      if (!b) { return; }
      var kind = b.getAttribute("data-kind");
      if (kind === "location") { send({ kind: "location", lat: -7.6298, lng: 111.5239, text: "Jl. Pahlawan, Madiun" }); }
      else { send({ kind: kind }); }
    });
    openPhone();
  }

  document.addEventListener("DOMContentLoaded", function () {
    var chat = $("citizen");
    if (chat) { initChat(chat); }
    var phone = $("devphone");
    if (phone) { initPhone(phone); }
    var lacak = $("lacak");
    if (lacak) { initLacak(lacak); }
  });
})();
