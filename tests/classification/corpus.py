"""Real-sounding complaints, written for these tests: (text, type, category code).

DEV was used while writing the rules; HELD_OUT was written at the same time and never used
for tuning, so its accuracy is the honest one.
"""

DEV: list[tuple[str, str, str]] = [
    (
        "jln di desa beran rusak parah byk lubang, tlg segera diperbaiki",
        "field_inspection",
        "infrastruktur",
    ),
    (
        "Jalan poros desa Kwadungan berlubang sdh 3 bulan blm ada perbaikan",
        "field_inspection",
        "infrastruktur",
    ),
    (
        "jembatan penghubung dsn krajan ambrol kena banjir kemarin, warga tdk bisa lewat",
        "field_inspection",
        "infrastruktur",
    ),
    (
        "saluran drainase depan pasar tersumbat, tiap hujan air meluap ke jalan",
        "field_inspection",
        "infrastruktur",
    ),
    ("gorong2 di jl. ahmad yani ambles, bahaya buat motor", "field_inspection", "infrastruktur"),
    (
        "aspal baru 2 bulan sudah mengelupas, kualitas proyek jelek",
        "field_inspection",
        "infrastruktur",
    ),
    (
        "talud sungai di desa Karangasri longsor, rumah warga terancam",
        "field_inspection",
        "infrastruktur",
    ),
    (
        "gmn cara mengajukan perbaikan jalan lingkungan lewat musrenbang?",
        "information",
        "infrastruktur",
    ),
    (
        "pju di jl raya ngawi-solo mati sdh seminggu, gelap bgt rawan begal",
        "field_inspection",
        "perhubungan",
    ),
    (
        "lampu jalan depan sd negeri 2 paron mati total, mohon diganti",
        "field_inspection",
        "perhubungan",
    ),
    (
        "lampu merah perempatan kartonyono tdk nyala, lalu lintas semrawut",
        "field_inspection",
        "perhubungan",
    ),
    (
        "banyak truk parkir sembarangan di bahu jalan dekat terminal, bikin macet",
        "field_inspection",
        "perhubungan",
    ),
    (
        "juru parkir di alun2 narik tarif 5rb padahal karcis 2rb, ini pungli",
        "non_field",
        "perhubungan",
    ),
    (
        "rambu lalu lintas di tikungan tajam desa pitu hilang, sering kecelakaan",
        "field_inspection",
        "perhubungan",
    ),
    ("kapan jadwal uji kir kendaraan bulan ini? di mana tempatnya", "information", "perhubungan"),
    (
        "sampah di tps pasar besar ngawi menumpuk udah seminggu ga diangkut, bau bgt",
        "field_inspection",
        "lingkungan",
    ),
    (
        "ada pabrik buang limbah ke sungai, airnya jadi hitam dan ikan mati",
        "field_inspection",
        "lingkungan",
    ),
    (
        "asap pembakaran sampah tetangga masuk rumah tiap sore, anak saya sesak",
        "field_inspection",
        "lingkungan",
    ),
    (
        "pembuangan sampah liar di pinggir hutan jati dekat desa kedunggalar",
        "field_inspection",
        "lingkungan",
    ),
    (
        "bau kandang ayam potong sangat menyengat, warga sekitar terganggu",
        "field_inspection",
        "lingkungan",
    ),
    (
        "bagaimana prosedur mengurus izin lingkungan untuk usaha laundry?",
        "information",
        "lingkungan",
    ),
    (
        "pohon besar di pinggir jalan sudah miring mau tumbang, tlg ditebang",
        "field_inspection",
        "lingkungan",
    ),
    ("sy terdaftar dtks tp bansos pkh blm cair sampai skrg", "non_field", "bansos"),
    ("bantuan BPNT ibu saya tiba2 dihentikan tanpa pemberitahuan", "non_field", "bansos"),
    ("perangkat desa memotong uang blt 50rb per orang, katanya buat kas", "non_field", "bansos"),
    (
        "keluarga mampu dapat bansos, yg miskin malah tdk dapat. data tdk tepat sasaran",
        "non_field",
        "bansos",
    ),
    ("gmn cara daftar jadi penerima bantuan sosial? syaratnya apa aja", "information", "bansos"),
    ("sembako bantuan yg dibagikan beras berkutu dan sdh kadaluarsa", "non_field", "bansos"),
    ("lansia sebatang kara di desa saya blm pernah dapat bantuan apapun", "non_field", "bansos"),
    ("sdh 2 bulan ngurus ktp el blm jadi, katanya blanko habis", "non_field", "adminduk"),
    ("mau tanya syarat bikin kk baru setelah menikah apa saja?", "information", "adminduk"),
    ("akta kelahiran anak saya salah nama, sdh lapor tp tdk ditanggapi", "non_field", "adminduk"),
    ("petugas dukcapil minta uang pelicin biar e-ktp cepet jadi", "non_field", "adminduk"),
    ("nik saya tdk terdaftar saat daftar bpjs, padahal ktp sdh lama", "non_field", "adminduk"),
    ("brp lama proses pindah domisili dari luar kota ke ngawi?", "information", "adminduk"),
    ("antrean di kantor capil dr subuh, sistem offline terus", "non_field", "adminduk"),
    ("akta kematian bapak saya blm terbit padahal berkas lengkap", "non_field", "adminduk"),
    ("puskesmas paron tutup jam 11 padahal jadwal sampai jam 2", "non_field", "kesehatan"),
    ("pasien bpjs di rsud disuruh beli obat sendiri di luar", "non_field", "kesehatan"),
    ("dokter jaga igd tdk ada, pasien kecelakaan dibiarkan lama", "non_field", "kesehatan"),
    (
        "banyak warga kena demam berdarah, mohon fogging di desa kami",
        "field_inspection",
        "kesehatan",
    ),
    ("bidan desa jarang ada di polindes, ibu hamil susah periksa", "non_field", "kesehatan"),
    ("apakah vaksin untuk balita di posyandu gratis? jadwalnya kapan", "information", "kesehatan"),
    ("perawat puskesmas kasar sama pasien lansia", "non_field", "kesehatan"),
    ("jalan menuju puskesmas rusak, ambulans susah lewat", "field_inspection", "infrastruktur"),
    (
        "lampu pju di gang masuk perumahan mati, kami takut jalan malam",
        "field_inspection",
        "perhubungan",
    ),
    (
        "got di depan rumah mampet, air comberan meluber ke jalan",
        "field_inspection",
        "infrastruktur",
    ),
    ("kartu keluarga sy hilang, gmn cara ngurus lagi?", "information", "adminduk"),
    ("kok bansos pkh sy dicoret padahal msh layak", "non_field", "bansos"),
    (
        "sungai di belakang kampung penuh sampah plastik, klo hujan banjir",
        "field_inspection",
        "lingkungan",
    ),
    (
        "jalan desa ngrayudan becek dan berlumpur, blm pernah diaspal",
        "field_inspection",
        "infrastruktur",
    ),
    ("obat di puskesmas sering kosong, disuruh beli di apotek", "non_field", "kesehatan"),
    ("angkot jurusan ngawi-walikukun sdh jarang lewat, susah ke pasar", "non_field", "perhubungan"),
    (
        "info jam buka pelayanan akta kelahiran di mal pelayanan publik dong",
        "information",
        "adminduk",
    ),
]

HELD_OUT: list[tuple[str, str, str]] = [
    (
        "jln kabupaten arah jogorogo rusak berat, byk lubang sedalam lutut",
        "field_inspection",
        "infrastruktur",
    ),
    (
        "jembatan gantung di dusun sidowayah talinya putus, anak sekolah gak bisa lewat",
        "field_inspection",
        "infrastruktur",
    ),
    ("pju depan masjid agung mati udh 2 minggu", "field_inspection", "perhubungan"),
    (
        "sampah rumah tangga di perumahan tdk diangkut petugas sdh 10 hari",
        "field_inspection",
        "lingkungan",
    ),
    ("bau limbah pabrik tahu di desa kami bikin warga mual", "field_inspection", "lingkungan"),
    ("blt dana desa blm diterima padahal nama ada di daftar", "non_field", "bansos"),
    ("mhn info syarat pengajuan bantuan rehab rumah tdk layak huni", "information", "bansos"),
    ("ktp sy rusak, apa bisa cetak ulang tanpa surat kehilangan?", "information", "adminduk"),
    (
        "kk sdh diajukan sebulan lalu blm jadi2, tiap ditanya disuruh nunggu",
        "non_field",
        "adminduk",
    ),
    ("pelayanan di rsud lambat, nunggu dokter 4 jam", "non_field", "kesehatan"),
    ("petugas puskesmas minta bayaran padahal pasien pake bpjs", "non_field", "kesehatan"),
    (
        "traffic light di simpang tiga beran mati, hampir tabrakan",
        "field_inspection",
        "perhubungan",
    ),
    ("tarif parkir di rsud mahal bgt, ga sesuai perda", "non_field", "perhubungan"),
    ("saluran irigasi jebol, sawah kebanjiran", "field_inspection", "infrastruktur"),
    ("bagaimana cara lapor kalau ada pembakaran hutan?", "information", "lingkungan"),
    ("anak sy blm punya kia, gmn cara buatnya", "information", "adminduk"),
    ("warga miskin di rt 03 tdk pernah dapat bantuan sembako", "non_field", "bansos"),
    (
        "genangan air di jl. diponegoro tiap hujan krn drainase buntu",
        "field_inspection",
        "infrastruktur",
    ),
    ("posyandu di desa kami tdk aktif lagi sejak kader berhenti", "non_field", "kesehatan"),
    (
        "bus antar kota ngetem sembarangan di depan pasar, bikin macet parah",
        "field_inspection",
        "perhubungan",
    ),
]
