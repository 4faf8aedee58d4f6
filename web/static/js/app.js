/* HAI LURAH staff UI behaviour. Everything works without it (forms post,
   pages reload); it only adds conveniences. No inline scripts anywhere:
   the Content-Security-Policy allows only files under /static. */
(function () {
  'use strict';

  // htmx requests carry the session's CSRF token as a header.
  var meta = document.querySelector('meta[name="csrf-token"]');
  var csrf = meta ? meta.getAttribute('content') : '';
  document.addEventListener('htmx:configRequest', function (e) {
    if (csrf) {
      e.detail.headers['X-CSRF-Token'] = csrf;
    }
  });

  // A canned reply fills the text box it names, ready to edit.
  function fillCanned(select) {
    var target = document.getElementById(select.getAttribute('data-fill'));
    var opt = select.options[select.selectedIndex];
    var text = opt ? opt.getAttribute('data-text') : '';
    if (target && text) {
      target.value = text;
      target.focus();
    }
  }

  // Photos are checked before upload so an officer on a slow phone
  // connection learns at once; the server checks again.
  var photoTypes = { 'image/jpeg': true, 'image/png': true, 'image/webp': true };
  function checkPhotos(input) {
    var maxFiles = parseInt(input.getAttribute('data-max-files'), 10) || 5;
    var maxMB = parseInt(input.getAttribute('data-max-mb'), 10) || 5;
    var msg = '';
    if (input.files.length > maxFiles) {
      msg = 'Paling banyak ' + maxFiles + ' foto per kiriman.';
    } else {
      for (var i = 0; i < input.files.length && !msg; i++) {
        var f = input.files[i];
        if (f.size > maxMB * 1024 * 1024) {
          msg = 'Foto "' + f.name + '" terlalu besar (maks. ' + maxMB + ' MB per foto).';
        } else if (!photoTypes[f.type]) {
          msg = 'Berkas "' + f.name + '" bukan foto JPEG, PNG atau WebP.';
        }
      }
    }
    var err = document.getElementById(input.id + '-err');
    if (err) {
      err.textContent = msg;
      err.hidden = !msg;
    }
    if (msg) {
      input.setAttribute('aria-invalid', 'true');
    } else {
      input.removeAttribute('aria-invalid');
    }
    return msg;
  }

  document.addEventListener('change', function (e) {
    var el = e.target;
    if (el.matches('select[data-fill]')) {
      fillCanned(el);
    } else if (el.matches('input[type="file"][data-max-files]')) {
      checkPhotos(el);
    }
  });

  document.addEventListener('submit', function (e) {
    var photos = e.target.querySelector('input[type="file"][data-max-files]');
    if (photos && checkPhotos(photos)) {
      e.preventDefault();
      photos.focus();
    }
  });

  // SLA countdowns follow the clock between polls, in the server's words:
  // "sisa 3 jam 20 menit", "lewat 2 jam".
  function durasi(ms) {
    var mins = Math.floor(ms / 60000);
    if (mins < 1) {
      return 'kurang dari 1 menit';
    }
    var days = Math.floor(mins / 1440), hours = Math.floor(mins / 60) % 24, m = mins % 60;
    if (days > 0) {
      return days + ' hari' + (hours > 0 ? ' ' + hours + ' jam' : '');
    }
    if (hours > 0) {
      return hours + ' jam' + (m > 0 ? ' ' + m + ' menit' : '');
    }
    return m + ' menit';
  }
  function tick() {
    var now = Date.now();
    document.querySelectorAll('time[data-deadline]').forEach(function (el) {
      var due = Date.parse(el.getAttribute('data-deadline'));
      if (isNaN(due)) {
        return;
      }
      var left = due - now;
      el.textContent = left >= 0 ? 'sisa ' + durasi(left) : 'lewat ' + durasi(-left);
      if (el.parentNode && el.parentNode.classList) {
        el.parentNode.classList.toggle('over', left < 0);
      }
    });
  }
  setInterval(tick, 30000);
})();
