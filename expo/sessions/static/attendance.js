// Attendance page: one horizontal bar chart per day (attended vs signed up per session).
(() => {
  const charts = JSON.parse(document.getElementById("attendance-data").textContent);
  const short = (title) => (title.length > 42 ? `${title.slice(0, 40)}…` : title);
  charts.forEach((day, index) => {
    const canvas = document.querySelector(`[data-attendance-chart="${index}"]`);
    if (!canvas || !window.Chart) return;
    new window.Chart(canvas, {
      type: "bar",
      data: {
        labels: day.talks.map(short),
        datasets: [
          { label: "Attended", data: day.attended, backgroundColor: "#0B5D7A" },
          { label: "Signed up", data: day.signed_up.map((v) => v ?? null), backgroundColor: "#D68910" },
        ],
      },
      options: {
        indexAxis: "y", maintainAspectRatio: false, animation: false,
        plugins: {
          legend: { position: "bottom" },
          tooltip: { callbacks: { title: (items) => day.talks[items[0].dataIndex],
            afterBody: (items) => { const cap = day.capacity[items[0].dataIndex]; return cap ? `Room capacity: ${cap}` : ""; } } },
        },
        scales: { x: { beginAtZero: true, ticks: { precision: 0 } } },
      },
    });
  });
})();
