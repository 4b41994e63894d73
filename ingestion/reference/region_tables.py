"""The curated half of the region reference: names, local names, cities, districts and aliases.

regions.py turns these tables into the seeds (and says which rules it applies on top: the ISO
codes, pycountry's transliterations, "X Province", "منطقة X", "จังหวัดX" ...). Only what pycountry
does not know is written here.

Tables are pipe-separated text, one row a line; lists inside a cell are separated by ``;``; a line
starting with ``+`` continues the previous line's last cell; ``#`` starts a comment line. An alias
may carry its language as a prefix (``en:Eastern Region``); without one its language follows its
script (Arabic ``ar``, Thai ``th``, Latin with Vietnamese marks ``vi``, other Latin ``latn``).
"""

from __future__ import annotations

# --------------------------------------------------------------------------- level 0: countries

#: code | name_en | name_local | local language | match_level | postal code pattern (anchored POSIX
#: regex, empty: the country has no postal codes) | postal code required | aliases
COUNTRIES = r"""
SA | Saudi Arabia | المملكة العربية السعودية | ar | 2 | ^[0-9]{5}(-[0-9]{4})?$ | false |
+ KSA; Saudi; Kingdom of Saudi Arabia; السعودية; code:SAU
AE | United Arab Emirates | الإمارات العربية المتحدة | ar | 2 | | false |
+ UAE; Emirates; the Emirates; الإمارات; دولة الإمارات; code:ARE
KW | Kuwait | الكويت | ar | 1 | ^[0-9]{5}$ | false | State of Kuwait; دولة الكويت; code:KWT
QA | Qatar | قطر | ar | 1 | | false | State of Qatar; دولة قطر; code:QAT
BH | Bahrain | البحرين | ar | 1 | ^[0-9]{3,4}$ | false | Kingdom of Bahrain; مملكة البحرين; code:BHR
OM | Oman | عُمان | ar | 1 | ^[0-9]{3}$ | false | Sultanate of Oman; سلطنة عمان; code:OMN
EG | Egypt | مصر | ar | 1 | ^[0-9]{5}$ | false | Arab Republic of Egypt; جمهورية مصر العربية; code:EGY
MY | Malaysia | Malaysia | ms | 2 | ^[0-9]{5}$ | true | code:MYS
ID | Indonesia | Indonesia | id | 1 | ^[0-9]{5}$ | false | Republic of Indonesia; id:Republik Indonesia
+ code:IDN
TH | Thailand | ประเทศไทย | th | 2 | ^[0-9]{5}$ | true | Kingdom of Thailand; ไทย; Siam; code:THA
PH | Philippines | Pilipinas | latn | 1 | ^[0-9]{4}$ | false | Republic of the Philippines; the Philippines
+ code:PHL
VN | Vietnam | Việt Nam | vi | 1 | ^[0-9]{6}$ | false | Viet Nam; Socialist Republic of Vietnam; code:VNM
SG | Singapore | | | 0 | ^[0-9]{6}$ | true | Republic of Singapore; ms:Singapura; Singapore City; code:SG
+ code:SGP
"""

# --------------------------------------------------------------------------- level 1: provinces

#: ISO 3166-2 code | name_en | name_local | aliases | channel codes (Shopify's province codes...).
#: A blank name_en keeps pycountry's name (for Viet Nam: without its marks); a blank name_local
#: keeps pycountry's name where it is the local one (MY, ID, VN), else none.
PROVINCES = r"""
# Saudi Arabia: the thirteen regions (manatiq).
SA-01 | Riyadh | منطقة الرياض | Ar Riyadh; Ar Riyad; Al Riyadh; Riyad; الرياض
SA-02 | Makkah | منطقة مكة المكرمة | Mecca; Makkah Al Mukarramah; Makka; Mecca Province; Mecca Region
+ مكة المكرمة; مكة
SA-03 | Al Madinah | منطقة المدينة المنورة | Madinah; Medina; Al Madinah Al Munawwarah; Madinah Province
+ Madinah Region; Medina Province; Medina Region; المدينة المنورة; المدينة
SA-04 | Eastern Province | المنطقة الشرقية | en:Eastern Region; Ash Sharqiyah; Al Sharqiyah; Ash Sharqia
+ Al Sharqia; Sharqiyah; الشرقية; منطقة الشرقية
SA-05 | Al Qassim | منطقة القصيم | Qassim; Al Qasim; Qaseem; Al Qaseem; Qassim Province; Qassim Region; القصيم
SA-06 | Hail | منطقة حائل | Ha'il; Hayil; حائل
SA-07 | Tabuk | منطقة تبوك | Tabouk; تبوك
SA-08 | Northern Borders | منطقة الحدود الشمالية | en:Northern Border; en:Northern Frontier
+ Al Hudud Ash Shamaliyah; Al Hudud Al Shamaliyah; الحدود الشمالية
SA-09 | Jazan | منطقة جازان | Jizan; Gizan; جازان; جيزان
SA-10 | Najran | منطقة نجران | نجران
SA-11 | Al Bahah | منطقة الباحة | Al Baha; Baha; Bahah; الباحة
SA-12 | Al Jawf | منطقة الجوف | Al Jouf; Jouf; Jawf; الجوف
SA-14 | Asir | منطقة عسير | Aseer; Assir; Asser; عسير

# United Arab Emirates: the seven emirates; channel codes are Shopify's.
AE-AZ | Abu Dhabi | أبوظبي | أبو ظبي; Abu Zaby; Abu Zabi; Abudhabi; Al Ain; العين | AUH
AE-AJ | Ajman | عجمان | | AJM
AE-DU | Dubai | دبي | Dubayy | DXB
AE-FU | Fujairah | الفجيرة | Al Fujairah; Al Fujayrah; Fujeirah
AE-RK | Ras Al Khaimah | رأس الخيمة | Ras Al Khaima; Ras Al Khaymah; Ra's al Khaymah; RAK
AE-SH | Sharjah | الشارقة | Ash Shariqah; Al Sharjah; Sharja; الشارقه | SHJ
AE-UQ | Umm Al Quwain | أم القيوين | Umm Al Qaiwain; Umm Al Qaywayn; Umm Al Qawain | UAQ

# Kuwait: the six governorates (muhafazat); the capital's city name goes to its governorate.
KW-KU | Capital | العاصمة | Al Asimah; Al Asima; Kuwait City; مدينة الكويت; en:Capital Governorate
KW-HA | Hawalli | حولي | Hawally; Salmiya; Salmiyah; السالمية
KW-FA | Al Farwaniyah | الفروانية | Farwaniya; Farwaniyah; Al Farwaniya; Farwania
KW-AH | Al Ahmadi | الأحمدي | Ahmadi; Fahaheel; الفحيحيل
KW-JA | Al Jahra | الجهراء | Jahra; Al Jahrah
KW-MU | Mubarak Al-Kabeer | مبارك الكبير | Mubarak Al Kabir; Mubarak Alkabeer

# Qatar: the eight municipalities (baladiyat).
QA-DA | Doha | الدوحة | Ad Dawhah; Al Doha; Doha City
QA-RA | Al Rayyan | الريان | Ar Rayyan; Rayyan
QA-WA | Al Wakrah | الوكرة | Al Wakra; Wakrah; Wakra
QA-KH | Al Khor and Al Thakhira | الخور والذخيرة | Al Khor; Al Khawr; الخور; Al Thakhira
QA-MS | Al Shamal | الشمال | Ash Shamal; Madinat ash Shamal; Madinat Al Shamal
QA-SH | Al Shahaniya | الشحانية | Ash Shahaniyah; Al Sheehaniya; Shahaniya
QA-US | Umm Salal | أم صلال | Umm Slal
QA-ZA | Al Daayen | الظعاين | Al Daayen Municipality; Az Zaayin; Al Za'ayin

# Bahrain: the four governorates.
BH-13 | Capital | العاصمة | Al Asimah; Manama; المنامة; en:Capital Governorate
BH-14 | Southern | الجنوبية | Al Janubiyah; Southern Governorate; Riffa; الرفاع
BH-15 | Muharraq | المحرق | Al Muharraq
BH-17 | Northern | الشمالية | Ash Shamaliyah; Al Shamaliyah; Northern Governorate

# Oman: the eleven governorates.
OM-MA | Muscat | مسقط | Masqat; Muscat City
OM-ZU | Dhofar | ظفار | Zufar; Dhufar; Salalah; صلالة
OM-MU | Musandam | مسندم | Khasab
OM-BU | Al Buraimi | البريمي | Buraimi; Al Buraymi
OM-DA | Ad Dakhiliyah | الداخلية | Al Dakhiliyah; Dakhiliyah; Ad Dakhliyah; Nizwa; نزوى
OM-BS | North Al Batinah | شمال الباطنة | Al Batinah North; North Batinah; Shamal Al Batinah; Sohar; صحار
OM-BJ | South Al Batinah | جنوب الباطنة | Al Batinah South; South Batinah; Janub Al Batinah; Rustaq
OM-SS | North Ash Sharqiyah | شمال الشرقية | Ash Sharqiyah North; North Sharqiyah; North Al Sharqiyah
+ Ibra
OM-SJ | South Ash Sharqiyah | جنوب الشرقية | Ash Sharqiyah South; South Sharqiyah; South Al Sharqiyah
+ Sur; صور
OM-WU | Al Wusta | الوسطى | Wusta; Al Wusta Governorate
OM-ZA | Ad Dhahirah | الظاهرة | Al Dhahirah; Dhahira; Adh Dhahirah; Ibri; عبري

# Egypt: the twenty-seven governorates.
EG-C | Cairo | القاهرة | Al Qahirah; El Qahira; Cairo City
EG-GZ | Giza | الجيزة | Al Jizah; El Giza; Gizeh; 6th of October; October City
EG-ALX | Alexandria | الإسكندرية | Alex; Al Iskandariyah; El Iskandariya; الاسكندريه
EG-KB | Qalyubia | القليوبية | Al Qalyubiyah; Kalyoubia; Qaliubiya
EG-SHR | Sharqia | الشرقية | Ash Sharqiyah; Al Sharqia; Sharkia; Zagazig; الزقازيق
EG-DK | Dakahlia | الدقهلية | Ad Daqahliyah; Dakahliya; Mansoura; المنصورة
EG-GH | Gharbia | الغربية | Al Gharbiyah; Gharbiya; Tanta; طنطا
EG-MNF | Monufia | المنوفية | Al Minufiyah; Menoufia; Menofia
EG-BH | Beheira | البحيرة | Al Buhayrah; Behira; Damanhur
EG-KFS | Kafr El Sheikh | كفر الشيخ | Kafr ash Shaykh; Kafr Al Sheikh
EG-DT | Damietta | دمياط | Dumyat; Domyat
EG-PTS | Port Said | بورسعيد | بور سعيد; Bur Said; Port Saeed
EG-IS | Ismailia | الإسماعيلية | Al Ismailiyah; Ismailiya
EG-SUZ | Suez | السويس | As Suways; El Suez
EG-FYM | Faiyum | الفيوم | Fayoum; Al Fayyum; Fayum
EG-BNS | Beni Suef | بني سويف | Bani Suwayf; Beni Sueif
EG-MN | Minya | المنيا | Al Minya; El Minya
EG-AST | Asyut | أسيوط | Assiut; Asiut
EG-SHG | Sohag | سوهاج | Suhaj; Souhag
EG-KN | Qena | قنا | Qina; Kena
EG-LX | Luxor | الأقصر | Al Uqsur; El Uqsur
EG-ASN | Aswan | أسوان | Assuan
EG-BA | Red Sea | البحر الأحمر | Al Bahr al Ahmar; Hurghada; الغردقة
EG-WAD | New Valley | الوادي الجديد | Al Wadi al Jadid; El Wadi El Gedid
EG-MT | Matrouh | مطروح | Matruh; Marsa Matruh; Mersa Matruh
EG-JS | South Sinai | جنوب سيناء | Janub Sina; Sharm El Sheikh; شرم الشيخ
EG-SIN | North Sinai | شمال سيناء | Shamal Sina; Arish; العريش

# Malaysia: states and federal territories; name_local Malay; channel codes are Shopify's.
MY-01 | Johor | Johor | Johore; Johor Darul Takzim; Johor Darul Ta'zim | JHR
MY-02 | Kedah | Kedah | Kedah Darul Aman | KDH
MY-03 | Kelantan | Kelantan | Kelantan Darul Naim | KTN
MY-04 | Malacca | Melaka | Malaka; Melaka Bandaraya Bersejarah | MLK
MY-05 | Negeri Sembilan | Negeri Sembilan | Negri Sembilan; N Sembilan; N. Sembilan; NS | NSN
MY-06 | Pahang | Pahang | Pahang Darul Makmur | PHG
MY-07 | Penang | Pulau Pinang | Pinang; P. Pinang; Pulau Penang; Penang Island | PNG
MY-08 | Perak | Perak | Perak Darul Ridzuan | PRK
MY-09 | Perlis | Perlis | Perlis Indera Kayangan | PLS
MY-10 | Selangor | Selangor | Selangor Darul Ehsan | SGR
MY-11 | Terengganu | Terengganu | Trengganu; Terengganu Darul Iman | TRG
MY-12 | Sabah | Sabah | | SBH
MY-13 | Sarawak | Sarawak | | SWK
MY-14 | Kuala Lumpur | Wilayah Persekutuan Kuala Lumpur | KL; WP Kuala Lumpur; W.P. Kuala Lumpur
+ en:Federal Territory of Kuala Lumpur | KUL
MY-15 | Labuan | Wilayah Persekutuan Labuan | WP Labuan; W.P. Labuan; en:Federal Territory of Labuan | LBN
MY-16 | Putrajaya | Wilayah Persekutuan Putrajaya | WP Putrajaya; W.P. Putrajaya
+ en:Federal Territory of Putrajaya | PJY

# Thailand: the seventy-six provinces (changwat) and Bangkok. Channel codes (Shopify) are the
# ISO codes themselves, which every province gets anyway.
TH-10 | Bangkok | กรุงเทพมหานคร | กรุงเทพฯ; กรุงเทพ; กทม; Krung Thep; Bangkok Metropolis; BKK
TH-11 | Samut Prakan | สมุทรปราการ | Samut Prakarn; Samutprakarn
TH-12 | Nonthaburi | นนทบุรี | Nontaburi
TH-13 | Pathum Thani | ปทุมธานี | Pathumthani
TH-14 | Phra Nakhon Si Ayutthaya | พระนครศรีอยุธยา | Ayutthaya; Ayuthaya; อยุธยา
TH-15 | Ang Thong | อ่างทอง | Angthong
TH-16 | Lop Buri | ลพบุรี | Lopburi
TH-17 | Sing Buri | สิงห์บุรี | Singburi
TH-18 | Chai Nat | ชัยนาท | Chainat
TH-19 | Saraburi | สระบุรี |
TH-20 | Chon Buri | ชลบุรี | Chonburi
TH-21 | Rayong | ระยอง |
TH-22 | Chanthaburi | จันทบุรี | Chantaburi
TH-23 | Trat | ตราด |
TH-24 | Chachoengsao | ฉะเชิงเทรา |
TH-25 | Prachin Buri | ปราจีนบุรี | Prachinburi
TH-26 | Nakhon Nayok | นครนายก |
TH-27 | Sa Kaeo | สระแก้ว | Sa Kaew; Srakaeo
TH-30 | Nakhon Ratchasima | นครราชสีมา | Korat; Khorat; โคราช
TH-31 | Buri Ram | บุรีรัมย์ | Buriram
TH-32 | Surin | สุรินทร์ |
TH-33 | Si Sa Ket | ศรีสะเกษ | Sisaket; Srisaket
TH-34 | Ubon Ratchathani | อุบลราชธานี | Ubon
TH-35 | Yasothon | ยโสธร |
TH-36 | Chaiyaphum | ชัยภูมิ |
TH-37 | Amnat Charoen | อำนาจเจริญ |
TH-38 | Bueng Kan | บึงกาฬ | Bungkan; Buengkan
TH-39 | Nong Bua Lam Phu | หนองบัวลำภู | Nong Bua Lamphu
TH-40 | Khon Kaen | ขอนแก่น | Khonkaen
TH-41 | Udon Thani | อุดรธานี | Udonthani; Udon
TH-42 | Loei | เลย |
TH-43 | Nong Khai | หนองคาย | Nongkhai
TH-44 | Maha Sarakham | มหาสารคาม | Mahasarakham
TH-45 | Roi Et | ร้อยเอ็ด | Roiet
TH-46 | Kalasin | กาฬสินธุ์ |
TH-47 | Sakon Nakhon | สกลนคร |
TH-48 | Nakhon Phanom | นครพนม |
TH-49 | Mukdahan | มุกดาหาร |
TH-50 | Chiang Mai | เชียงใหม่ | Chiangmai
TH-51 | Lamphun | ลำพูน |
TH-52 | Lampang | ลำปาง |
TH-53 | Uttaradit | อุตรดิตถ์ |
TH-54 | Phrae | แพร่ |
TH-55 | Nan | น่าน |
TH-56 | Phayao | พะเยา |
TH-57 | Chiang Rai | เชียงราย | Chiangrai
TH-58 | Mae Hong Son | แม่ฮ่องสอน |
TH-60 | Nakhon Sawan | นครสวรรค์ |
TH-61 | Uthai Thani | อุทัยธานี |
TH-62 | Kamphaeng Phet | กำแพงเพชร | Kamphaengphet
TH-63 | Tak | ตาก |
TH-64 | Sukhothai | สุโขทัย |
TH-65 | Phitsanulok | พิษณุโลก |
TH-66 | Phichit | พิจิตร |
TH-67 | Phetchabun | เพชรบูรณ์ |
TH-70 | Ratchaburi | ราชบุรี |
TH-71 | Kanchanaburi | กาญจนบุรี |
TH-72 | Suphan Buri | สุพรรณบุรี | Suphanburi
TH-73 | Nakhon Pathom | นครปฐม |
TH-74 | Samut Sakhon | สมุทรสาคร |
TH-75 | Samut Songkhram | สมุทรสงคราม |
TH-76 | Phetchaburi | เพชรบุรี | Petchaburi
TH-77 | Prachuap Khiri Khan | ประจวบคีรีขันธ์ | Prachuap
TH-80 | Nakhon Si Thammarat | นครศรีธรรมราช | Nakhon Sri Thammarat
TH-81 | Krabi | กระบี่ |
TH-82 | Phang Nga | พังงา | Phangnga
TH-83 | Phuket | ภูเก็ต |
TH-84 | Surat Thani | สุราษฎร์ธานี | Suratthani
TH-85 | Ranong | ระนอง |
TH-86 | Chumphon | ชุมพร |
TH-90 | Songkhla | สงขลา |
TH-91 | Satun | สตูล |
TH-92 | Trang | ตรัง |
TH-93 | Phatthalung | พัทลุง | Phattalung
TH-94 | Pattani | ปัตตานี |
TH-95 | Yala | ยะลา |
TH-96 | Narathiwat | นราธิวาส |

# Indonesia: the thirty-eight provinces; name_local Indonesian, with the short forms people write.
ID-AC | Aceh | Aceh | Nanggroe Aceh Darussalam; NAD
ID-BA | Bali | Bali |
ID-BB | Bangka Belitung Islands | Kepulauan Bangka Belitung | Bangka Belitung; Babel
ID-BE | Bengkulu | Bengkulu |
ID-BT | Banten | Banten |
ID-GO | Gorontalo | Gorontalo |
ID-JA | Jambi | Jambi |
ID-JB | West Java | Jawa Barat | Jabar
ID-JI | East Java | Jawa Timur | Jatim
ID-JK | Jakarta | DKI Jakarta | Jakarta Raya; Daerah Khusus Ibukota Jakarta; Daerah Khusus Jakarta; DKI
+ en:Special Capital Region of Jakarta
ID-JT | Central Java | Jawa Tengah | Jateng
ID-KB | West Kalimantan | Kalimantan Barat | Kalbar
ID-KI | East Kalimantan | Kalimantan Timur | Kaltim
ID-KR | Riau Islands | Kepulauan Riau | Kepri
ID-KS | South Kalimantan | Kalimantan Selatan | Kalsel
ID-KT | Central Kalimantan | Kalimantan Tengah | Kalteng
ID-KU | North Kalimantan | Kalimantan Utara | Kaltara
ID-LA | Lampung | Lampung |
ID-MA | Maluku | Maluku | Moluccas
ID-MU | North Maluku | Maluku Utara | Malut
ID-NB | West Nusa Tenggara | Nusa Tenggara Barat | NTB
ID-NT | East Nusa Tenggara | Nusa Tenggara Timur | NTT
ID-PA | Papua | Papua |
ID-PB | West Papua | Papua Barat | Pabar
ID-PD | Southwest Papua | Papua Barat Daya |
ID-PE | Highland Papua | Papua Pegunungan |
ID-PS | South Papua | Papua Selatan |
ID-PT | Central Papua | Papua Tengah |
ID-RI | Riau | Riau |
ID-SA | North Sulawesi | Sulawesi Utara | Sulut
ID-SB | West Sumatra | Sumatera Barat | Sumbar; Sumatra Barat
ID-SG | Southeast Sulawesi | Sulawesi Tenggara | Sultra
ID-SN | South Sulawesi | Sulawesi Selatan | Sulsel
ID-SR | West Sulawesi | Sulawesi Barat | Sulbar
ID-SS | South Sumatra | Sumatera Selatan | Sumsel; Sumatra Selatan
ID-ST | Central Sulawesi | Sulawesi Tengah | Sulteng
ID-SU | North Sumatra | Sumatera Utara | Sumut; Sumatra Utara
ID-YO | Yogyakarta | DI Yogyakarta | Daerah Istimewa Yogyakarta; en:Special Region of Yogyakarta; DIY
+ Jogja; Jogjakarta; Yogya

# Philippines: pycountry's names stand except these (the provinces; NCR stands for Metro Manila,
# which has no province, and takes the names of its cities).
PH-00 | Metro Manila | | National Capital Region; NCR; Metropolitan Manila; Kalakhang Maynila; Manila
+ Quezon City; Makati; Makati City; Taguig; Taguig City; Pasig; Pasig City; Mandaluyong; Pasay
+ Parañaque; Caloocan; Marikina; Muntinlupa; Las Piñas; Valenzuela; Malabon; Navotas; Pateros
PH-MDC | Occidental Mindoro | | Mindoro Occidental
PH-MDR | Oriental Mindoro | | Mindoro Oriental
PH-COM | Davao de Oro | | Compostela Valley
PH-NCO | Cotabato | | North Cotabato
PH-WSA | Samar | | Western Samar
PH-MOU | Mountain Province | | Mt. Province; Mt Province

# Viet Nam: pycountry's names stand (name_en without marks) except these.
VN-HN | Hanoi | Hà Nội | Ha Noi; Thủ đô Hà Nội
VN-SG | Ho Chi Minh City | Hồ Chí Minh | HCMC; HCM; TP HCM; TPHCM; Saigon; Sai Gon; Sài Gòn
VN-DN | Da Nang | Đà Nẵng | Danang
VN-HP | Hai Phong | Hải Phòng | Haiphong
VN-CT | Can Tho | Cần Thơ | Cantho
VN-26 | Thua Thien Hue | Thừa Thiên Huế | Hue; Huế
VN-43 | Ba Ria - Vung Tau | Bà Rịa - Vũng Tàu | Vung Tau; Vũng Tàu; BRVT
VN-47 | Kien Giang | Kiên Giang |
VN-33 | Dak Lak | Đắk Lắk | Daklak; Dac Lac; Đắc Lắc

# Singapore: the five community development council districts.
SG-01 | Central Singapore | | Central; Central District
SG-02 | North East | | Northeast; North East District
SG-03 | North West | | Northwest; North West District
SG-04 | South East | | Southeast; South East District
SG-05 | South West | | Southwest; South West District
"""

# --------------------------------------------------------------------------- level 2: cities

#: province code | city suffix | name_en | name_local | aliases
CITIES = r"""
# Saudi Arabia
SA-01 | RUH | Riyadh | الرياض | Ar Riyadh; Ar Riyad; Al Riyadh; Riyad; Riyadh City
SA-01 | KHJ | Al Kharj | الخرج | Kharj; Al-Kharj
SA-01 | DRY | Diriyah | الدرعية | Ad Diriyah; Al Diriyah; Dir'iyah
SA-01 | MJM | Al Majmaah | المجمعة | Majmaah; Al Majma'ah
SA-01 | ZLF | Az Zulfi | الزلفي | Zulfi; Al Zulfi
SA-01 | DWD | Ad Dawadmi | الدوادمي | Dawadmi; Al Dawadmi
SA-01 | WDD | Wadi Ad Dawasir | وادي الدواسر | Wadi Al Dawasir; Wadi Dawasir
SA-02 | JED | Jeddah | جدة | Jiddah; Jedda; Jidda; Juddah
SA-02 | MKK | Mecca | مكة المكرمة | Makkah; مكة; Makkah Al Mukarramah; Makka; Mekka
SA-02 | TIF | Taif | الطائف | At Taif; Al Taif; Ta'if
SA-02 | RAB | Rabigh | رابغ |
SA-02 | QNF | Al Qunfudhah | القنفذة | Qunfudhah; Al Qunfudah; Qunfudah
SA-03 | MED | Medina | المدينة المنورة | Madinah; Al Madinah; Medinah; Al Madinah Al Munawwarah; المدينة
SA-03 | YNB | Yanbu | ينبع | Yanbu Al Bahr; Yanbo; Yenbo
SA-03 | ULA | AlUla | العلا | Al Ula; Al-Ula; Ula
SA-04 | DMM | Dammam | الدمام | Ad Dammam; Al Dammam
SA-04 | KBR | Al Khobar | الخبر | Khobar; Al Khubar; Khubar
SA-04 | DHA | Dhahran | الظهران | Az Zahran; Al Dhahran
SA-04 | JUB | Al Jubail | الجبيل | Jubail; Al Jubayl
SA-04 | HOF | Al Hofuf | الهفوف | Hofuf; Al Hufuf; Hufuf; Al Ahsa; Al Hasa; Al-Ahsa; الأحساء
SA-04 | MUB | Al Mubarraz | المبرز | Mubarraz
SA-04 | QTF | Qatif | القطيف | Al Qatif
SA-04 | HFB | Hafar Al Batin | حفر الباطن | Hafr Al Batin; Hafar Albatin
SA-05 | BUR | Buraidah | بريدة | Buraydah; Buraida; Burayda; Buraydah City
SA-05 | UNZ | Unaizah | عنيزة | Unayzah; Onaizah; Unaiza
SA-05 | RAS | Ar Rass | الرس | Al Rass; Rass
SA-06 | HAS | Hail | حائل | Ha'il; Hayil
SA-07 | TUU | Tabuk | تبوك | Tabouk
SA-08 | RAE | Arar | عرعر | Ar'ar
SA-09 | GIZ | Jazan | جازان | Jizan; Gizan; جيزان
SA-10 | EAM | Najran | نجران |
SA-11 | ABT | Al Bahah | الباحة | Al Baha; Baha
SA-12 | AJF | Sakaka | سكاكا | Sakakah
SA-14 | AHB | Abha | أبها |
SA-14 | KMX | Khamis Mushait | خميس مشيط | Khamis Mushayt; Khamis Mushayt City
SA-14 | BHH | Bisha | بيشة | Bishah

# United Arab Emirates: the main cities of every emirate.
AE-AZ | AUH | Abu Dhabi | أبوظبي | أبو ظبي; Abudhabi; Abu Zabi; Abu Zaby
AE-AZ | AAN | Al Ain | العين | Alain; Al-Ain; Ain
AE-AZ | RUW | Ruwais | الرويس | Al Ruwais; Ar Ruwais
AE-AZ | MZY | Madinat Zayed | مدينة زايد | Zayed City
AE-DU | DXB | Dubai | دبي | Dubayy
AE-DU | HTA | Hatta | حتا |
AE-SH | SHJ | Sharjah | الشارقة | Sharja; Ash Shariqah; Al Sharjah; الشارقه
AE-SH | KFK | Khor Fakkan | خورفكان | Khorfakkan; Khawr Fakkan; خور فكان
AE-SH | KLB | Kalba | كلباء |
AE-SH | DBH | Dibba Al Hisn | دبا الحصن | Dibba Al-Hisn
AE-SH | DHD | Al Dhaid | الذيد | Dhaid; Adh Dhayd
AE-AJ | AJM | Ajman | عجمان |
AE-AJ | MSF | Masfout | مصفوت | Masfut
AE-RK | RKT | Ras Al Khaimah | رأس الخيمة | RAK; Ras Al Khaima; Ras Al Khaymah
AE-FU | FJR | Fujairah | الفجيرة | Al Fujairah; Fujeirah
AE-FU | DBF | Dibba Al Fujairah | دبا الفجيرة | Dibba; Dibba Al-Fujairah
AE-UQ | UAQ | Umm Al Quwain | أم القيوين | UAQ; Umm Al Qaiwain

# Malaysia
MY-14 | KUL | Kuala Lumpur | | KL; K.L.; KL City; K. Lumpur
MY-10 | PTJ | Petaling Jaya | | PJ; P.J.
MY-10 | SHA | Shah Alam | |
MY-10 | SBJ | Subang Jaya | | Subang
MY-10 | KLG | Klang | | Kelang
MY-10 | PKL | Port Klang | | Pelabuhan Klang
MY-10 | KJG | Kajang | |
MY-10 | PCG | Puchong | |
MY-10 | CYB | Cyberjaya | |
MY-10 | AMJ | Ampang | | Ampang Jaya
MY-10 | SKB | Seri Kembangan | | Sri Kembangan
MY-10 | BGI | Bangi | | Bandar Baru Bangi
MY-10 | RWG | Rawang | |
MY-01 | JHB | Johor Bahru | | JB; J.B.; Johor Baharu; Johore Bahru; Bandar Johor Bahru
MY-01 | ISK | Iskandar Puteri | | Nusajaya
MY-01 | BTP | Batu Pahat | |
MY-01 | MUA | Muar | | Bandar Maharani
MY-01 | KLU | Kluang | |
MY-01 | PGD | Pasir Gudang | |
MY-07 | GTN | George Town | | Georgetown; Penang; Tanjung
MY-07 | BWH | Butterworth | |
MY-07 | BMJ | Bukit Mertajam | |
MY-07 | BYL | Bayan Lepas | |
MY-08 | IPH | Ipoh | |
MY-08 | TPG | Taiping | |
MY-08 | TLI | Teluk Intan | |
MY-12 | BKI | Kota Kinabalu | | KK; K.K.
MY-12 | SDK | Sandakan | |
MY-12 | TWU | Tawau | |
MY-13 | KCH | Kuching | |
MY-13 | MYY | Miri | |
MY-13 | SBW | Sibu | |
MY-13 | BTU | Bintulu | |
MY-04 | MKZ | Melaka City | Bandar Melaka | Malacca City; Melaka; Malacca; Bandaraya Melaka
MY-05 | SRB | Seremban | |
MY-05 | NIL | Nilai | |
MY-02 | AOR | Alor Setar | | Alor Star
MY-02 | SGP | Sungai Petani | | Sg Petani; Sg. Petani
MY-03 | KBR | Kota Bharu | | Kota Baharu
MY-06 | KUA | Kuantan | |
MY-11 | TGG | Kuala Terengganu | | KT
MY-09 | KGR | Kangar | |
MY-15 | LBU | Labuan | | Bandar Labuan
MY-16 | PJY | Putrajaya | |

# Thailand. Pattaya also answers to "Chon Buri", the name buyers there write as their city; the
# provincial seat (Mueang Chon Buri) is therefore not a city of its own here (regions.py says why).
TH-10 | BKK | Bangkok | กรุงเทพมหานคร | กรุงเทพฯ; กรุงเทพ; กทม; Krung Thep Maha Nakhon; Krung Thep
+ Bangkok Metropolis
TH-50 | CNX | Chiang Mai | เชียงใหม่ | Chiangmai
TH-12 | NBI | Nonthaburi | นนทบุรี | Nontaburi
TH-83 | HKT | Phuket | ภูเก็ต | Phuket Town; Mueang Phuket
TH-40 | KKC | Khon Kaen | ขอนแก่น | Khonkaen
TH-20 | PTY | Pattaya | พัทยา | Phatthaya; เมืองพัทยา; Chon Buri; Chonburi; ชลบุรี; code:TH-S
TH-20 | SRC | Si Racha | ศรีราชา | Sriracha; Si Racha City
TH-90 | HDY | Hat Yai | หาดใหญ่ | Hatyai
TH-90 | SKA | Songkhla | สงขลา |
TH-30 | NMA | Nakhon Ratchasima | นครราชสีมา | Korat; Khorat; โคราช
TH-41 | UTH | Udon Thani | อุดรธานี | Udonthani; Udon
TH-57 | CEI | Chiang Rai | เชียงราย | Chiangrai
TH-77 | HHQ | Hua Hin | หัวหิน | Huahin
TH-11 | SPK | Samut Prakan | สมุทรปราการ | Samut Prakarn; Paknam; Pak Nam
TH-21 | RYG | Rayong | ระยอง |
TH-84 | URT | Surat Thani | สุราษฎร์ธานี | Suratthani
TH-84 | USM | Ko Samui | เกาะสมุย | Koh Samui; Samui
TH-81 | KBV | Krabi | กระบี่ | Krabi Town
TH-14 | AYU | Ayutthaya | อยุธยา | Phra Nakhon Si Ayutthaya; พระนครศรีอยุธยา; Ayuthaya
TH-34 | UBP | Ubon Ratchathani | อุบลราชธานี | Ubon
TH-65 | PHS | Phitsanulok | พิษณุโลก |
TH-80 | NST | Nakhon Si Thammarat | นครศรีธรรมราช | Nakhon Sri Thammarat
TH-13 | RGS | Rangsit | รังสิต |
TH-52 | LPT | Lampang | ลำปาง |
TH-73 | NPT | Nakhon Pathom | นครปฐม |
TH-74 | SKN | Samut Sakhon | สมุทรสาคร | Mahachai; มหาชัย
TH-60 | NSN | Nakhon Sawan | นครสวรรค์ |

# Singapore: towns (planning areas) under the district whose council covers most of the town.
SG-02 | TAM | Tampines | |
SG-02 | PSR | Pasir Ris | |
SG-02 | PGL | Punggol | | Ponggol
SG-02 | SKG | Sengkang | |
SG-02 | HGN | Hougang | |
SG-01 | AMK | Ang Mo Kio | | AMK
SG-01 | TPY | Toa Payoh | |
SG-01 | BSH | Bishan | |
SG-01 | BKM | Bukit Merah | |
SG-04 | BDK | Bedok | |
SG-04 | MRP | Marine Parade | |
SG-05 | JRW | Jurong West | |
SG-05 | JRE | Jurong East | |
SG-05 | BKB | Bukit Batok | |
SG-05 | CLM | Clementi | |
SG-03 | WDL | Woodlands | |
SG-03 | YSN | Yishun | |
SG-03 | SBW | Sembawang | |
"""

# --------------------------------------------------------------------------- level 3: districts

#: city code | district suffix | name_en | name_local | aliases
DISTRICTS = r"""
# Riyadh
SA-01-RUH | OLY | Al Olaya | العليا | Al Ulaya
SA-01-RUH | MLQ | Al Malqa | الملقا | Al Malqa'a
SA-01-RUH | YSM | Al Yasmin | الياسمين | Al Yasmeen; Yasmeen
SA-01-RUH | NRJ | Al Narjis | النرجس | An Narjis; Al Narjes
SA-01-RUH | RWD | Al Rawdah | الروضة | Ar Rawdah; Al Rawda; Rawda
SA-01-RUH | SLM | Al Sulimaniyah | السليمانية | As Sulimaniyah; Al Sulaimaniyah; Sulaimaniyah
SA-01-RUH | NKL | Al Nakheel | النخيل | An Nakhil; Al Nakhil
SA-01-RUH | WRD | Al Wurud | الورود | Al Worood; Al Wurood
SA-01-RUH | MLZ | Al Malaz | الملز |
SA-01-RUH | MRB | Al Murabba | المربع | Al Murabaa
SA-01-RUH | HTN | Hittin | حطين | Hetteen; Hiteen
SA-01-RUH | AQQ | Al Aqiq | العقيق | Al Aqeeq
SA-01-RUH | SHF | Al Sahafah | الصحافة | As Sahafah
SA-01-RUH | RBW | Al Rabwah | الربوة | Ar Rabwah
SA-01-RUH | NSM | Al Naseem | النسيم | An Nasim
SA-01-RUH | SHI | Al Shifa | الشفا | Ash Shifa
SA-01-RUH | SWD | Al Suwaidi | السويدي | As Suwaydi
SA-01-RUH | QRW | Al Qirawan | القيروان | Al Qairawan
# Jeddah
SA-02-JED | RWD | Al Rawdah | الروضة | Ar Rawdah; Al Rawda
SA-02-JED | SFA | Al Safa | الصفا | As Safa
SA-02-JED | HMR | Al Hamra | الحمراء | Al Hamraa
SA-02-JED | NAM | Al Naeem | النعيم | An Naim; Al Naim
SA-02-JED | SHT | Al Shati | الشاطئ | Ash Shati; Al Shatea; Ash Shatii
SA-02-JED | BLD | Al Balad | البلد |
SA-02-JED | ZHR | Al Zahra | الزهراء | Az Zahra
SA-02-JED | SLM | Al Salamah | السلامة | As Salamah; Al Salama
SA-02-JED | AND | Al Andalus | الأندلس |
SA-02-JED | KLD | Al Khalidiyah | الخالدية | Al Khalidiya
SA-02-JED | OBH | Obhur | أبحر | Abhur; Obhur Al Shamaliyah
SA-02-JED | MRW | Al Marwah | المروة | Al Marwa
SA-02-JED | BST | Al Basateen | البساتين |
# Dammam
SA-04-DMM | FSL | Al Faisaliyah | الفيصلية | Al Faisaliya; Al Faysaliyah
SA-04-DMM | SHT | Al Shati | الشاطئ | Ash Shati; Al Shatea
SA-04-DMM | MZR | Al Mazruiyah | المزروعية | Al Mazrouiyah
SA-04-DMM | ADM | Al Adamah | العدامة | Al Adama
SA-04-DMM | JLW | Al Jalawiyah | الجلوية |
SA-04-DMM | MNR | Al Manar | المنار |
# Al Khobar
SA-04-KBR | ULY | Al Ulaya | العليا | Al Olaya
SA-04-KBR | THQ | Al Thuqbah | الثقبة | Ath Thuqbah; Thugbah; Al Thugbah
SA-04-KBR | AQR | Al Aqrabiyah | العقربية | Al Aqrabiya
SA-04-KBR | RKA | Al Rakah | الراكة | Ar Rakah
# Mecca
SA-02-MKK | AZZ | Al Aziziyah | العزيزية | Al Aziziya
SA-02-MKK | AWL | Al Awali | العوالي |
SA-02-MKK | SHQ | Al Shawqiyah | الشوقية | Ash Shawqiyah; Al Shoqiyah
SA-02-MKK | NSM | Al Naseem | النسيم | An Nasim
SA-02-MKK | ZHR | Al Zahir | الزاهر | Az Zahir
SA-02-MKK | AJY | Ajyad | أجياد |
SA-02-MKK | KKY | Al Kakiyah | الكعكية | Al Kaakiyah
# Medina
SA-03-MED | QBA | Quba | قباء | Qubaa
SA-03-MED | AZZ | Al Aziziyah | العزيزية | Al Aziziya
SA-03-MED | UYN | Al Uyun | العيون | Al Uyoon
SA-03-MED | KLD | Al Khalidiyah | الخالدية | Al Khalidiya
SA-03-MED | SLT | Sultanah | سلطانة | Sultana
SA-03-MED | AWL | Al Awali | العوالي |
# Taif, Tabuk, Abha, Buraidah
SA-02-TIF | HWY | Al Hawiyah | الحوية | Al Hawiya
SA-02-TIF | SHR | Shihar | شهار | Shehar
SA-02-TIF | FSL | Al Faisaliyah | الفيصلية | Al Faisaliya
SA-07-TUU | MRJ | Al Muruj | المروج | Al Morooj
SA-07-TUU | FSL | Al Faisaliyah | الفيصلية | Al Faisaliya
SA-14-AHB | MNS | Al Mansak | المنسك |
SA-14-AHB | KLD | Al Khalidiyah | الخالدية | Al Khalidiya
SA-05-BUR | ISK | Al Iskan | الإسكان |
SA-05-BUR | RYN | Al Rayan | الريان | Ar Rayyan; Al Rayyan

# Dubai
AE-DU-DXB | MRN | Dubai Marina | دبي مارينا | Marina
AE-DU-DXB | BRS | Al Barsha | البرشاء | Barsha
AE-DU-DXB | DRA | Deira | ديرة | Deirah
AE-DU-DXB | JMR | Jumeirah | جميرا | Jumeira; Jumairah
AE-DU-DXB | NHD | Al Nahda | النهدة | Al Nahdah
AE-DU-DXB | BBY | Business Bay | الخليج التجاري |
AE-DU-DXB | INC | International City | المدينة العالمية |
AE-DU-DXB | JLT | Jumeirah Lake Towers | أبراج بحيرات جميرا | JLT; Jumeirah Lakes Towers
AE-DU-DXB | DTN | Downtown Dubai | وسط مدينة دبي | Downtown
AE-DU-DXB | BUR | Bur Dubai | بر دبي |
AE-DU-DXB | QSS | Al Qusais | القصيص | Qusais
AE-DU-DXB | KRM | Al Karama | الكرامة | Karama
AE-DU-DXB | JVC | Jumeirah Village Circle | قرية جميرا الدائرية | JVC
AE-DU-DXB | MRD | Mirdif | مردف | Mirdiff
AE-DU-DXB | QOZ | Al Quoz | القوز |
AE-DU-DXB | DSO | Dubai Silicon Oasis | واحة دبي للسيليكون | Silicon Oasis; DSO
AE-DU-DXB | PLM | Palm Jumeirah | نخلة جميرا | The Palm; Palm Jumeira
AE-DU-DXB | JBA | Jebel Ali | جبل علي |
# Abu Dhabi
AE-AZ-AUH | REM | Al Reem Island | جزيرة الريم | Reem Island; Al Reem
AE-AZ-AUH | KHC | Khalifa City | مدينة خليفة | Khalifa City A
AE-AZ-AUH | KLD | Al Khalidiyah | الخالدية | Al Khalidiya; Khalidiya
AE-AZ-AUH | MUS | Mussafah | مصفح | Musaffah; Mussafah Industrial Area
AE-AZ-AUH | BTN | Al Bateen | البطين |
AE-AZ-AUH | MSH | Al Mushrif | المشرف |
AE-AZ-AUH | YAS | Yas Island | جزيرة ياس |
AE-AZ-AUH | SDY | Saadiyat Island | جزيرة السعديات | Saadiyat
AE-AZ-AUH | MBZ | Mohammed Bin Zayed City | مدينة محمد بن زايد | MBZ City; MBZ
AE-AZ-AUH | RHA | Al Raha Beach | شاطئ الراحة | Raha Beach
AE-AZ-AUH | ZHY | Al Zahiyah | الزاهية | Tourist Club Area
# Sharjah, Ajman, Al Ain, Ras Al Khaimah, Fujairah
AE-SH-SHJ | NHD | Al Nahda | النهدة | Al Nahdah
AE-SH-SHJ | MJZ | Al Majaz | المجاز |
AE-SH-SHJ | TWN | Al Taawun | التعاون | Al Taawon
AE-SH-SHJ | MWL | Muwaileh | مويلح | Muwailih
AE-SH-SHJ | KHN | Al Khan | الخان |
AE-SH-SHJ | QSM | Al Qasimia | القاسمية | Al Qasimiyah
AE-AJ-AJM | NUA | Al Nuaimiya | النعيمية | Al Nuaimia; Al Nuaimiyah
AE-AJ-AJM | RSH | Al Rashidiya | الراشدية | Al Rashidiyah
AE-AJ-AJM | JRF | Al Jurf | الجرف |
AE-AJ-AJM | RWD | Al Rawda | الروضة | Al Rawdah
AE-AZ-AAN | JMI | Al Jimi | الجيمي | Al Jimmi
AE-AZ-AAN | MWJ | Al Muwaiji | المويجعي | Al Muwaiji'i
AE-AZ-AAN | HLI | Al Hili | الهيلي |
AE-RK-RKT | NKL | Al Nakheel | النخيل | Nakheel
AE-RK-RKT | HMV | Al Hamra Village | قرية الحمراء |
AE-RK-RKT | DHT | Al Dhait | الظيت | Dhait
AE-RK-RKT | KZM | Khuzam | خزام |
AE-FU-FJR | FSL | Al Faseel | الفصيل | Faseel
AE-FU-FJR | SKM | Sakamkam | سكمكم |

# Kuala Lumpur
MY-14-KUL | BBT | Bukit Bintang | |
MY-14-KUL | CHR | Cheras | |
MY-14-KUL | BGS | Bangsar | |
MY-14-KUL | MKR | Mont Kiara | | Mont'Kiara; Montkiara
MY-14-KUL | KPG | Kepong | |
MY-14-KUL | STP | Setapak | |
MY-14-KUL | WMJ | Wangsa Maju | |
MY-14-KUL | SNT | Sentul | |
MY-14-KUL | BKF | Brickfields | |
MY-14-KUL | KLCC | KLCC | | Kuala Lumpur City Centre
MY-14-KUL | TTW | Titiwangsa | |
MY-14-KUL | SPT | Sri Petaling | | Seri Petaling
MY-14-KUL | BJL | Bukit Jalil | |
MY-14-KUL | TTDI | Taman Tun Dr Ismail | | TTDI; Taman Tun Dr. Ismail
MY-14-KUL | DPC | Desa ParkCity | | Desa Park City
MY-14-KUL | KGB | Kampung Baru | | Kampung Bharu; Kg Baru
MY-14-KUL | SGB | Segambut | |
# Petaling Jaya, Shah Alam
MY-10-PTJ | SS2 | SS2 | | SS 2; Section SS2
MY-10-PTJ | DMU | Damansara Utama | | Uptown Damansara
MY-10-PTJ | KLJ | Kelana Jaya | |
MY-10-PTJ | DMJ | Damansara Jaya | |
MY-10-PTJ | BDU | Bandar Utama | |
MY-10-PTJ | S17 | Seksyen 17 | | Section 17; Sek 17
MY-10-PTJ | ARA | Ara Damansara | |
MY-10-PTJ | KTD | Kota Damansara | |
MY-10-SHA | S7 | Seksyen 7 | | Section 7; Sek 7
MY-10-SHA | S13 | Seksyen 13 | | Section 13; Sek 13
MY-10-SHA | STA | Setia Alam | |
MY-10-SHA | KKM | Kota Kemuning | |
MY-10-SHA | BJT | Bukit Jelutong | |
# George Town, Johor Bahru, Ipoh, Kota Kinabalu, Kuching
MY-07-GTN | JLT | Jelutong | |
MY-07-GTN | TTK | Tanjung Tokong | | Tanjong Tokong
MY-07-GTN | ATM | Air Itam | | Ayer Itam; Ayer Hitam
MY-07-GTN | PTK | Pulau Tikus | |
MY-07-GTN | TBG | Tanjung Bungah | | Tanjong Bungah
MY-07-GTN | BFR | Batu Ferringhi | |
MY-01-JHB | TMK | Taman Molek | |
MY-01-JHB | SKD | Skudai | |
MY-01-JHB | TBR | Tebrau | |
MY-01-JHB | LRK | Larkin | |
MY-01-JHB | TPL | Taman Pelangi | |
MY-01-JHB | PMJ | Permas Jaya | |
MY-01-JHB | JJY | Johor Jaya | | Taman Johor Jaya
MY-01-JHB | MAU | Mount Austin | | Taman Mount Austin
MY-08-IPH | GRT | Greentown | | Green Town
MY-08-IPH | BCH | Bercham | |
MY-08-IPH | CNG | Canning Garden | |
MY-12-BKI | LYG | Luyang | |
MY-12-BKI | LKS | Likas | |
MY-12-BKI | TAR | Tanjung Aru | |
MY-12-BKI | INM | Inanam | |
MY-13-KCH | TBN | Tabuan | |
MY-13-KCH | PTJ | Petra Jaya | |
MY-13-KCH | PDG | Padungan | |
MY-13-KCH | STT | Stutong | |

# Bangkok: its districts (khet).
TH-10-BKK | WTN | Watthana | วัฒนา | Wattana; Vadhana
TH-10-BKK | KTY | Khlong Toei | คลองเตย | Khlong Toey; Klong Toei; Klong Toey
TH-10-BKK | BRK | Bang Rak | บางรัก | Bangrak
TH-10-BKK | CTC | Chatuchak | จตุจักร | Jatujak
TH-10-BKK | HKW | Huai Khwang | ห้วยขวาง | Huay Kwang; Huai Kwang
TH-10-BKK | PTW | Pathum Wan | ปทุมวัน | Pathumwan
TH-10-BKK | STN | Sathon | สาทร | Sathorn
TH-10-BKK | BKP | Bang Kapi | บางกะปิ |
TH-10-BKK | LPR | Lat Phrao | ลาดพร้าว | Lad Phrao; Ladprao
TH-10-BKK | DDG | Din Daeng | ดินแดง |
TH-10-BKK | PYT | Phaya Thai | พญาไท | Phayathai
TH-10-BKK | RTW | Ratchathewi | ราชเทวี | Ratchathewee; Rajthevee
TH-10-BKK | YNW | Yan Nawa | ยานนาวา | Yannawa
TH-10-BKK | BNA | Bang Na | บางนา | Bangna
TH-10-BKK | PKN | Phra Khanong | พระโขนง |
TH-10-BKK | SLG | Suan Luang | สวนหลวง |
TH-10-BKK | BSU | Bang Sue | บางซื่อ | Bang Su
TH-10-BKK | DMG | Don Mueang | ดอนเมือง | Don Muang
TH-10-BKK | LKS | Lak Si | หลักสี่ |
TH-10-BKK | BKN | Bang Khen | บางเขน |
TH-10-BKK | MNB | Min Buri | มีนบุรี | Minburi
TH-10-BKK | TNB | Thon Buri | ธนบุรี | Thonburi
TH-10-BKK | KLS | Khlong San | คลองสาน |
TH-10-BKK | BKE | Bang Khae | บางแค |
TH-10-BKK | PSC | Phasi Charoen | ภาษีเจริญ |
TH-10-BKK | BKL | Bang Kho Laem | บางคอแหลม |
TH-10-BKK | SMI | Sai Mai | สายไหม |
TH-10-BKK | PRW | Prawet | ประเวศ |
TH-10-BKK | PNK | Phra Nakhon | พระนคร |
TH-10-BKK | DST | Dusit | ดุสิต |
TH-10-BKK | SPW | Samphanthawong | สัมพันธวงศ์ |
# Chiang Mai, Nonthaburi, Phuket, Khon Kaen, Pattaya: districts (amphoe) and subdistricts (tambon).
TH-50-CNX | MCM | Mueang Chiang Mai | เมืองเชียงใหม่ | อำเภอเมืองเชียงใหม่; อ.เมืองเชียงใหม่
+ Amphoe Mueang Chiang Mai; Muang Chiang Mai
TH-50-CNX | STP | Suthep | สุเทพ | ตำบลสุเทพ; ต.สุเทพ
TH-50-CNX | CPK | Chang Phueak | ช้างเผือก | ตำบลช้างเผือก; Chang Puak
TH-50-CNX | SPM | Si Phum | ศรีภูมิ | ตำบลศรีภูมิ; Sri Phum
TH-50-CNX | HYA | Hai Ya | หายยา | ตำบลหายยา
TH-50-CNX | CKL | Chang Khlan | ช้างคลาน | ตำบลช้างคลาน; Chang Klan
TH-50-CNX | WKT | Wat Ket | วัดเกต | ตำบลวัดเกต
TH-12-NBI | PKR | Pak Kret | ปากเกร็ด | อำเภอปากเกร็ด; Pakkret
TH-12-NBI | BYI | Bang Yai | บางใหญ่ | อำเภอบางใหญ่
TH-12-NBI | BBT | Bang Bua Thong | บางบัวทอง | อำเภอบางบัวทอง
TH-12-NBI | MNB | Mueang Nonthaburi | เมืองนนทบุรี | อำเภอเมืองนนทบุรี
TH-12-NBI | BKR | Bang Kruai | บางกรวย | อำเภอบางกรวย
TH-12-NBI | SNI | Sai Noi | ไทรน้อย | อำเภอไทรน้อย
TH-83-HKT | KTU | Kathu | กะทู้ | อำเภอกะทู้
TH-83-HKT | TLY | Talat Yai | ตลาดใหญ่ | ตำบลตลาดใหญ่
TH-83-HKT | TLN | Talat Nuea | ตลาดเหนือ | ตำบลตลาดเหนือ
TH-83-HKT | PTG | Patong | ป่าตอง | ตำบลป่าตอง; Patong Beach
TH-83-HKT | KRN | Karon | กะรน | ตำบลกะรน
TH-83-HKT | CLG | Chalong | ฉลอง | ตำบลฉลอง
TH-83-HKT | RWI | Rawai | ราไวย์ | ตำบลราไวย์
TH-83-HKT | TLG | Thalang | ถลาง | อำเภอถลาง
TH-40-KKC | NMG | Nai Mueang | ในเมือง | ตำบลในเมือง; Nai Muang
TH-40-KKC | SLA | Sila | ศิลา | ตำบลศิลา
TH-40-KKC | BPT | Ban Pet | บ้านเป็ด | ตำบลบ้านเป็ด
TH-40-KKC | SMR | Samran | สำราญ | ตำบลสำราญ
TH-20-PTY | NPR | Nong Prue | หนองปรือ | ตำบลหนองปรือ; Nongprue; Nong Prew
TH-20-PTY | BLM | Bang Lamung | บางละมุง | อำเภอบางละมุง; Banglamung
TH-20-PTY | NKL | Na Kluea | นาเกลือ | ตำบลนาเกลือ; Naklua
TH-20-PTY | JTN | Jomtien | จอมเทียน | Chom Thian; Jomtien Beach
"""
