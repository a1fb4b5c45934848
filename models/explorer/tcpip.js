// tcpip-spec's addition to stateright's Explorer page, loaded after its app.js (see
// models/explorer/page.rs). The server annotates each property [kind, name, path] with a
// fourth element: in the status, {summary} (which says "Not checked yet" until "Run to
// completion"); for a state, {icon, summary}, the property's condition evaluated on that very
// state. These labels replace the ones app.js derives from the global status alone, which
// read "Safety holds" on the state that violates the property.
(function () {
    'use strict';
    const stockProperty = getProperty;
    const stockPropertyForState = getPropertyForState;

    getProperty = function (p, done) {
        const shown = stockProperty(p, done);
        if (p[3] && p[3].summary) {
            shown.summary = p[3].summary;
        }
        return shown;
    };

    getPropertyForState = function (p, path) {
        const shown = stockPropertyForState(p, path);
        if (p[3] && p[3].icon) {
            shown.icon = p[3].icon;
            shown.summary = p[3].summary;
        }
        return shown;
    };

    // The verdicts on the shown state are the ones to read: show them from the start.
    window.app.showCurrentStateProperties(true);
})();
