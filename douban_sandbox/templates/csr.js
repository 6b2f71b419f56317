// Client-side rendering as single-page sites do it: fetch the page's data as JSON and build the
// list or subject markup in place of div#app. The result is the DOM of the static page.
(function () {
    var app = document.getElementById("app");
    fetch(app.getAttribute("data-src"), {credentials: "same-origin"})
        .then(function (response) {
            if (!response.ok) {
                throw new Error("HTTP " + response.status);
            }
            return response.json();
        })
        .then(function (data) {
            var template = document.createElement("template");
            template.innerHTML = data.html;
            app.replaceWith(template.content);
            document.documentElement.setAttribute("data-csr-rendered", "1");
        })
        .catch(function (error) {
            app.setAttribute("data-csr-error", String(error));
        });
})();
