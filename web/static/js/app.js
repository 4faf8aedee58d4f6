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

  // The antrian refreshes in place every 5 seconds: rows that changed get
  // their new cells, new tickets are inserted where they belong and
  // announced ("2 tiket baru"), finished ones leave. The element that has
  // focus is never replaced or moved, so a keyboard user keeps their place
  // and the page does not jump.
  function sameRow(a, b) {
    return a.className === b.className && a.innerHTML === b.innerHTML;
  }
  function mergeRows(rows, fresh) {
    var active = document.activeElement;
    var added = 0;
    var keep = {};
    var next = null;
    var list = fresh ? fresh.querySelectorAll('tr[id]') : [];
    for (var i = list.length - 1; i >= 0; i--) {
      var row = list[i];
      keep[row.id] = true;
      var old = document.getElementById(row.id);
      if (old && old.parentNode === rows) {
        if (!sameRow(old, row)) {
          old.className = row.className;
          for (var c = 0; c < row.cells.length && c < old.cells.length; c++) {
            if (old.cells[c].innerHTML !== row.cells[c].innerHTML && !old.cells[c].contains(active)) {
              old.cells[c].innerHTML = row.cells[c].innerHTML;
            }
          }
        }
        next = old;
      } else {
        var copy = document.importNode(row, true);
        rows.insertBefore(copy, next && next.parentNode === rows ? next : null);
        next = copy;
        added++;
      }
    }
    Array.prototype.slice.call(rows.querySelectorAll('tr[id]')).forEach(function (old) {
      if (!keep[old.id] && !old.contains(active)) {
        rows.removeChild(old);
      }
    });
    return added;
  }
  function copyText(fresh, id, to) {
    var from = fresh.querySelector('#' + id);
    var el = document.getElementById(to || id);
    if (from && el && el.textContent !== from.textContent) {
      el.textContent = from.textContent;
    }
  }
  function refreshQueue(box) {
    fetch(box.getAttribute('data-poll'), { credentials: 'same-origin', headers: { 'HX-Request': 'true' } })
      .then(function (r) {
        // A session that ended sends the user to log in again, as htmx does.
        var to = r.headers.get('HX-Redirect');
        if (r.status === 401 && to) {
          window.location.assign(to);
        }
        return r.ok ? r.text() : '';
      })
      .then(function (html) {
        if (!html) {
          return;
        }
        var tpl = document.createElement('template');
        tpl.innerHTML = html;
        var fresh = tpl.content.getElementById('queue-live');
        if (!fresh) {
          return;
        }
        var rows = document.getElementById('queue-rows');
        var freshRows = fresh.querySelector('#queue-rows');
        if (!rows || !freshRows) {
          // The list was or became empty: swap it whole unless the user is in it.
          if (!box.contains(document.activeElement)) {
            box.innerHTML = fresh.innerHTML;
          }
          return;
        }
        var added = mergeRows(rows, freshRows);
        var counts = box.querySelector('.counts');
        var freshCounts = fresh.querySelector('.counts');
        if (counts && freshCounts && !counts.contains(document.activeElement) && counts.innerHTML !== freshCounts.innerHTML) {
          counts.innerHTML = freshCounts.innerHTML;
        }
        copyText(fresh, 'queue-shown');
        copyText(fresh, 'queue-updated');
        fresh.querySelectorAll('[id^="tab-n-"][id$="-live"]').forEach(function (el) {
          copyText(fresh, el.id, el.id.replace(/-live$/, ''));
        });
        if (added > 0) {
          document.getElementById('queue-news').textContent = added + ' tiket baru';
        }
      })
      .catch(function () {});
  }
  var queue = document.getElementById('queue-live');
  if (queue && queue.getAttribute('data-poll')) {
    setInterval(function () {
      if (!document.hidden) {
        refreshQueue(queue);
      }
    }, 5000);
  }

  // After a form, the page's answer takes the focus: the error summary or
  // the first field in error, else the confirmation, so a screen reader
  // reads it and the keyboard goes on from there.
  // It runs after the load, when the browser has done its own jump to the
  // address's #fragment (a form's action names its card), which would
  // otherwise take the focus back to the page.
  function focusResult() {
    var result = document.querySelector('.field-error:not([hidden])') ||
      document.querySelector('[role="alert"]:not([hidden]), .flash');
    if (!result) {
      return;
    }
    var target = result;
    if (result.classList.contains('field-error') && result.id) {
      target = document.querySelector('[aria-describedby~="' + result.id + '"]') || result;
    }
    if (!target.matches('input, select, textarea, button, a')) {
      target.setAttribute('tabindex', '-1');
    }
    target.focus();
  }
  if (document.readyState === 'complete') {
    setTimeout(focusResult, 0);
  } else {
    window.addEventListener('load', function () { setTimeout(focusResult, 0); });
  }
})();
